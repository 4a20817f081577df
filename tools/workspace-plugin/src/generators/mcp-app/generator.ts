import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GeneratorCallback, generateFiles, joinPathFragments, names, type Tree, workspaceRoot } from "@nx/devkit";
import { writeAppsTable } from "../../readme.ts";
import { AUTH_STYLES, type AuthStyle, STYLES, TOOL_SUMMARIES } from "../../styles.ts";
import { nextFreePort, readApps, treeFiles } from "../../workspace.ts";

export interface McpAppOptions {
  name: string;
  auth: AuthStyle;
  port?: number;
  title?: string;
  /** Adds an MCP Apps UI: the greet tool and the interactive view hosts render with it. */
  ui?: boolean;
  skipInstall?: boolean;
}

/** The tool `--ui` adds (files/ui), next to the auth style's tools. */
const UI_TOOL = "greet";

const FILES = fileURLToPath(new URL("./files", import.meta.url));

interface RateLimit {
  name: string;
  namespace_id: string;
  simple: { limit: number; period: number };
}

/**
 * The reference app's rate-limit bindings (names and limits), under namespace ids after every id the
 * workspace's apps use: a rate-limit namespace counts for every Worker bound to it.
 */
function freshRateLimits(tree: Tree, reference: string): RateLimit[] {
  const apps = readApps(treeFiles(tree));
  const theirs = apps.find((app) => app.name === reference)?.wrangler?.ratelimits;
  if (!Array.isArray(theirs) || theirs.length === 0) return [];
  const used = apps.flatMap((app) =>
    [app.wrangler?.ratelimits, ...Object.values(app.wrangler?.env ?? {}).map((env) => env.ratelimits)].flatMap((list) =>
      Array.isArray(list) ? list.map((entry: RateLimit) => Number(entry.namespace_id)).filter(Number.isFinite) : [],
    ),
  );
  let next = Math.max(1000, ...used) + 1;
  return (theirs as RateLimit[]).map((limit) => ({ name: limit.name, namespace_id: String(next++), simple: limit.simple }));
}

/** A standalone template keeps its reference app's rate limits: it is deployed to an account of its own. */
function referenceRateLimits(tree: Tree, reference: string): RateLimit[] {
  const theirs = readApps(treeFiles(tree)).find((app) => app.name === reference)?.wrangler?.ratelimits;
  return Array.isArray(theirs) ? (theirs as RateLimit[]) : [];
}

/** How a rendering names the libs: in this workspace (apps/) or as the published packages (templates/). */
export interface Packaging {
  standalone: boolean;
  /** npm scope of the libs' imports: @repo in the workspace, the published scope in a template. */
  scope: string;
  /** Where src/index.ts imports its tools from: the tools lib, or the template's own src/tools. */
  toolsImport: string;
  /** Where it imports an MCP Apps view from: the tools lib's subpath for that view, or the template's own file. */
  viewImport: (view: string) => string;
  /** A template's dependency versions: third-party ones from the pnpm catalog, the libs at their current release. */
  version: (dependency: string) => string;
}

export const WORKSPACE_PACKAGING: Packaging = {
  standalone: false,
  scope: "@repo",
  toolsImport: "@repo/mcp-tools",
  viewImport: (view) => `@repo/mcp-tools/views/${view}`,
  version: () => {
    throw new Error("apps in the workspace depend on catalog: and workspace: versions");
  },
};

/** The substitutions every template sees; exported so tests can render a template for a real app's name. */
export function templateVariables(
  tree: Tree,
  options: McpAppOptions & { port: number; title: string },
  packaging: Packaging = WORKSPACE_PACKAGING,
) {
  const style = STYLES[options.auth];
  const oauth = options.auth === "mock" || options.auth === "github";
  const { standalone } = packaging;
  const ratelimits = standalone ? referenceRateLimits(tree, style.reference) : freshRateLimits(tree, style.reference);
  const vars = (env: "local" | "staging" | "production") => {
    const origin =
      env === "local"
        ? ""
        : env === "staging"
          ? `https://${options.name}-staging.your-account.workers.dev`
          : `https://${options.name}.example.com`;
    const values: Record<string, string> = {};
    if (options.auth === "bearer") {
      // A template has no user backend beside it: locally it accepts the API keys of .dev.vars, and reaches
      // a deployed backend by URL (USER_API_URL) where the workspace app has a service binding.
      Object.assign(values, {
        BEARER_VALIDATOR: standalone && env === "local" ? "api-keys" : "backend",
        BACKEND_CREDENTIAL: "caller",
        ALLOW_QUERY_TOKEN: "false",
        USER_API_TIMEOUT_MS: "5000",
      });
      if (standalone) values.USER_API_URL = env === "local" ? "" : "https://user-api.example.com";
    }
    Object.assign(values, { PUBLIC_ORIGINS: origin, ALLOWED_ORIGINS: "" });
    if (options.auth === "github") values.ALLOWED_GITHUB_IDS = "";
    // Local dev prints one readable line per request; deployed, JSON lines for Workers Logs (docs/observability.md).
    values.LOG_FORMAT = env === "local" ? "pretty" : "json";
    values.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = "";
    return JSON.stringify(values).replaceAll('":"', '": "').replaceAll('","', '", "').replace(/^\{/, "{ ").replace(/\}$/, " }");
  };
  return {
    ...options,
    ...packaging,
    tmpl: "",
    // Template file names say __dot__ for a leading dot: .gitignore would hide .dev.vars.* templates.
    dot: ".",
    oauth,
    reference: style.reference,
    styleLabel: style.label,
    tools: options.ui ? [...style.tools, UI_TOOL] : style.tools,
    // MCP Apps views the package builds itself (into dist/ui, imported as "#ui/<view>.html"): greet's,
    // and in a standalone template calculate's too, whose view is libs/mcp-tools' in the monorepo.
    views: options.ui || (standalone && style.tools.includes("calculate")),
    toolSummaries: TOOL_SUMMARIES,
    vars,
    ratelimits,
    ratelimitsJson: JSON.stringify(ratelimits),
  };
}

export function normalizeOptions(tree: Tree, options: McpAppOptions): McpAppOptions & { port: number; title: string } {
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(options.name)) throw new Error(`App names are kebab-case: "${options.name}" is not.`);
  if (!AUTH_STYLES.includes(options.auth)) throw new Error(`--auth must be one of ${AUTH_STYLES.join(", ")}.`);
  if (tree.exists(`apps/${options.name}`)) throw new Error(`apps/${options.name} already exists.`);
  const port = options.port ?? nextFreePort(treeFiles(tree));
  const title =
    options.title ?? `${names(options.name).className.replace(/([a-z0-9])([A-Z])/g, "$1 $2")} (${STYLES[options.auth].titleSuffix})`;
  return { ...options, port, title };
}

/** Writes apps/<name> from the templates of its auth style (no formatting, types or install). */
export function writeApp(tree: Tree, options: McpAppOptions & { port: number; title: string }): void {
  const target = joinPathFragments("apps", options.name);
  const variables = templateVariables(tree, options);
  generateFiles(tree, join(FILES, "common"), target, variables);
  generateFiles(tree, join(FILES, options.auth), target, variables);
  if (options.ui) addUi(tree, target, variables);
}

/**
 * `--ui`: the greet tool with its view (files/ui), registered in src/index.ts; the templates add
 * what builds the view (the build-ui script, run on install and before typecheck, test, dev, e2e
 * and deploy by nx.json) and the "#ui/*" import it is read through.
 * src/index.ts is edited rather than templated, so each style's index template stays its real app's.
 */
function addUi(tree: Tree, target: string, variables: ReturnType<typeof templateVariables>): void {
  generateFiles(tree, join(FILES, "ui"), target, variables);
  // The `.html` import's type, as libs/mcp-tools declares it for its own views.
  const declarations = tree.read("libs/mcp-tools/src/views.d.ts");
  if (!declarations) throw new Error("--ui needs libs/mcp-tools/src/views.d.ts, which declares a view import's type");
  tree.write(joinPathFragments(target, "src", "views.d.ts"), declarations);
  const indexPath = joinPathFragments(target, "src", "index.ts");
  const index = tree.read(indexPath, "utf-8") ?? "";
  const lastImport = index.lastIndexOf("\nimport ");
  const importEnd = index.indexOf("\n", index.indexOf(";", lastImport)) + 1;
  const withImport = `${index.slice(0, importEnd)}import { greet, greetingUi } from "./greet.js";\n${index.slice(importEnd)}`;
  const edited = withImport
    .replace(/^(\s*)tools: \[(.*)\],$/m, "$1tools: [$2, greet],")
    .replace(
      /^(\s*)resources: (.*),$/m,
      (_, indent: string, list: string) => `${indent}resources: [${list.startsWith("[") ? list.slice(1, -1) : `...${list}`}, greetingUi],`,
    );
  if (!edited.includes("greet]") || !edited.includes("greetingUi]")) throw new Error(`--ui could not register greet in ${indexPath}`);
  tree.write(indexPath, edited);
  const packagePath = joinPathFragments(target, "package.json");
  const pkg = JSON.parse(tree.read(packagePath, "utf-8") ?? "{}");
  pkg.scripts = {
    ...pkg.scripts,
    typecheck: `${pkg.scripts.typecheck} && tsc -p ui/tsconfig.json`,
  };
  const sorted = (deps: Record<string, string>) => Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
  pkg.dependencies = sorted({ ...pkg.dependencies, "@repo/mcp-core": "workspace:*", zod: "catalog:" });
  pkg.devDependencies = sorted({
    ...pkg.devDependencies,
    "@modelcontextprotocol/client": "catalog:",
    "@modelcontextprotocol/ext-apps": "catalog:",
    esbuild: "catalog:",
  });
  tree.write(packagePath, `${JSON.stringify(pkg, null, 2)}\n`);
}

/**
 * `nx g @repo/workspace-plugin:mcp-app <name> --auth=<style>`: a new app that composes the libs like
 * the existing app of its auth style, listed in the README's apps table. Afterwards: format, install
 * (links the new package) and generate its Env with `wrangler types`.
 */
export default function mcpAppGenerator(tree: Tree, raw: McpAppOptions): GeneratorCallback {
  const options = normalizeOptions(tree, raw);
  writeApp(tree, options);
  writeAppsTable(tree);
  return () => {
    const bin = (tool: string) => join(workspaceRoot, "node_modules", ".bin", tool);
    const appDir = join(workspaceRoot, "apps", options.name);
    const quiet = {
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
    };
    const run = (command: string, args: string[], cwd: string) =>
      execFileSync(command, args, { cwd, stdio: "inherit", env: { ...process.env, ...quiet } });
    run(bin("biome"), ["check", "--write", "--no-errors-on-unmatched", appDir, join(workspaceRoot, "README.md")], workspaceRoot);
    if (!options.skipInstall) run("pnpm", ["install", "--no-frozen-lockfile"], workspaceRoot); // a new app always changes the lockfile, also under CI=true
    run(bin("wrangler"), ["types", "--env-file", ".dev.vars.example", "--include-runtime=false", "--strict-vars=false"], appDir);
  };
}
