import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { generateFiles, type Tree, visitNotIgnoredFiles } from "@nx/devkit";
import { parse } from "yaml";
import { AUTH_STYLES, type AuthStyle, STYLES } from "../../styles.ts";
import { type Packaging, templateVariables } from "./generator.ts";

const FILES = fileURLToPath(new URL("./files", import.meta.url));

/** The port a standalone template's `wrangler dev` listens on: wrangler's own default. */
export const TEMPLATE_PORT = 8787;

/** The workspace settings a template is rendered with: root package.json's config (scope, repository). */
export function releaseConfig(tree: Tree): { scope: string; repository: string } {
  const config = JSON.parse(tree.read("package.json", "utf-8") ?? "{}").config ?? {};
  if (typeof config.packageScope !== "string" || typeof config.githubRepository !== "string") {
    throw new Error("root package.json needs config.packageScope and config.githubRepository");
  }
  return { scope: config.packageScope, repository: config.githubRepository };
}

/** A template names the published libs at their current release and everything else at the catalog's version. */
function standalonePackaging(tree: Tree): Packaging {
  const { scope } = releaseConfig(tree);
  const catalog: Record<string, string> = parse(tree.read("pnpm-workspace.yaml", "utf-8") ?? "").catalog;
  return {
    standalone: true,
    scope,
    toolsImport: "./tools/index.js",
    viewImport: (view) => `./tools/${view}-ui.js`,
    version: (dependency) => {
      const lib = tree.read(`libs/${dependency}/package.json`, "utf-8");
      const version = lib ? JSON.parse(lib).version : catalog[dependency];
      if (!version) throw new Error(`no version for ${dependency}: neither a lib nor in the pnpm catalog`);
      return version;
    },
  };
}

/** The workspace's compiler options, written out: a template has no tsconfig.base.json to extend. */
function compilerOptions(tree: Tree): string {
  const base = JSON.parse(tree.read("tsconfig.base.json", "utf-8") ?? "{}").compilerOptions;
  return JSON.stringify({ ...base, types: ["@cloudflare/workers-types", "node"] });
}

/**
 * Writes templates/<style's template>: a complete Worker project on the published libs, rendered from
 * the same files as the apps, with the example tools copied from libs/mcp-tools into its src/tools.
 */
export function writeTemplate(tree: Tree, auth: AuthStyle): string {
  const style = STYLES[auth];
  const target = `templates/${style.template}`;
  const packaging = standalonePackaging(tree);
  const options = { name: `mcp-server-${style.template}`, auth, port: TEMPLATE_PORT, title: `My MCP server (${style.titleSuffix})` };
  const variables = {
    ...templateVariables(tree, options, packaging),
    repository: releaseConfig(tree).repository,
    template: style.template,
    compilerOptions: compilerOptions(tree),
  };
  generateFiles(tree, join(FILES, "common"), target, variables);
  generateFiles(tree, join(FILES, auth), target, variables);
  generateFiles(tree, join(FILES, "standalone"), target, variables);
  // The landing-page suite drives Chromium and writes the workspace's docs screenshots: not a template's test.
  tree.delete(`${target}/test/landing.e2e.ts`);
  if (auth === "bearer") {
    // The app's landing page names the example user API beside it; a template has none and accepts API keys locally.
    const index = tree.read(`${target}/src/index.ts`, "utf-8") ?? "";
    const local = /local:\s*"Local development: the example user API[^"]*",/;
    if (!local.test(index)) throw new Error("the bearer template's local-credentials text changed: update writeTemplate");
    tree.write(
      `${target}/src/index.ts`,
      index.replace(
        local,
        'local: "Local development: copy .dev.vars.example to .dev.vars; the demo API key `mcpk_demo_laptop_pzfv_lhzupmRfsxfgKdda37m` then works (the README says how to use your user backend instead).",',
      ),
    );
  }
  for (const file of tree.children("libs/mcp-tools/src")) {
    // A view, its test and its declarations import what build-ui builds: only in a template that serves views.
    if (!variables.views && isViewFile(file)) continue;
    const text = tree.read(`libs/mcp-tools/src/${file}`, "utf-8") ?? "";
    tree.write(`${target}/src/tools/${file}`, text.replaceAll('from "@repo/', `from "${packaging.scope}/`));
  }
  if (variables.views) {
    // The views are the template's own code too: their sources, and the script that builds them
    // into dist/ui (imported as "#ui/<view>.html"), run by npm on install and before start, test, build and deploy.
    visitNotIgnoredFiles(tree, "libs/mcp-tools/ui", (file) => {
      tree.write(`${target}/ui/${file.slice("libs/mcp-tools/ui/".length)}`, tree.read(file) ?? "");
    });
    // The views' tsconfig extends the workspace's; a template's states the options itself.
    const ui = JSON.parse(tree.read("libs/mcp-tools/ui/tsconfig.json", "utf-8") ?? "{}");
    const base = JSON.parse(tree.read("tsconfig.base.json", "utf-8") ?? "{}").compilerOptions;
    tree.write(
      `${target}/ui/tsconfig.json`,
      JSON.stringify({ compilerOptions: { ...base, ...ui.compilerOptions }, include: ui.include }, null, 2),
    );
    const script = tree.read("tools/build-ui.mjs");
    if (!script) throw new Error("tools/build-ui.mjs is not in the tree the templates are rendered from");
    tree.write(`${target}/scripts/build-ui.mjs`, script);
  }
  return target;
}

/**
 * libs/mcp-tools' files about MCP Apps views: each view (`<name>-ui.ts`, its own subpath) and test,
 * the `.html` declarations and the views' test helper.
 */
export function isViewFile(file: string): boolean {
  return /-ui(\.test)?\.ts$/.test(file) || file === "views.d.ts" || file === "views.testing.ts";
}

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/**
 * Every template as its files (path inside the template → text), rendered from the workspace in `tree`
 * and formatted by the workspace's biome config, exactly as sync-templates writes them to templates/.
 * worker-configuration.d.ts is not among them: `wrangler types` writes it (see syncStandaloneTemplates).
 */
export function renderTemplates(tree: Tree, root: string): Map<AuthStyle, Map<string, string>> {
  // Inside the workspace (tmp/ is git-ignored), where biome.json's file patterns apply.
  mkdirSync(join(root, "tmp"), { recursive: true });
  const out = mkdtempSync(join(root, "tmp", "templates-"));
  try {
    const dirs = new Map(AUTH_STYLES.map((auth) => [auth, writeTemplate(tree, auth)]));
    for (const change of tree.listChanges()) {
      if (change.type === "DELETE" || !change.path.startsWith("templates/")) continue;
      mkdirSync(dirname(join(out, change.path)), { recursive: true });
      writeFileSync(join(out, change.path), change.content ?? "");
    }
    const biome = join(root, "node_modules", ".bin", "biome");
    execFileSync(biome, ["check", "--write", "--config-path", join(root, "biome.json"), "--vcs-enabled=false", out], { stdio: "pipe" });
    return new Map(
      [...dirs].map(([auth, dir]) => {
        const base = join(out, dir);
        return [auth, new Map([...filesUnder(base)].map((file) => [relative(base, file), readFileSync(file, "utf8")]))];
      }),
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Rewrites templates/ from the generator files: each template folder replaced, then its Env types written. */
export function syncStandaloneTemplates(tree: Tree, root: string): void {
  for (const [auth, files] of renderTemplates(tree, root)) {
    const dir = join(root, "templates", STYLES[auth].template);
    rmSync(dir, { recursive: true, force: true });
    for (const [path, text] of files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    execFileSync(
      join(root, "node_modules", ".bin", "wrangler"),
      ["types", "--env-file", ".dev.vars.example", "--include-runtime=false", "--strict-vars=false"],
      {
        cwd: dir,
        stdio: "pipe",
        env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_SEND_ERROR_REPORTS: "false", WRANGLER_HIDE_BANNER: "true" },
      },
    );
  }
}
