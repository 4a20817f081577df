import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isViewFile, releaseConfig, renderTemplates } from "../src/generators/mcp-app/standalone.ts";
import { AUTH_STYLES, STYLES } from "../src/styles.ts";
import { diskTree, TEMPLATE_INPUTS } from "../src/workspace.ts";
import { ROOT, workspaceFiles } from "./workspace.ts";

// templates/<name> is what the generator files render for a standalone project (one source with the
// apps): when a generator file, a tool in libs/mcp-tools, a lib's version or the release config
// changes, this test names the command that rewrites the templates.

const SYNC = "npm run nx -- sync-templates @repo/workspace-plugin rewrites templates/";
const tree = diskTree(ROOT, TEMPLATE_INPUTS);
const rendered = renderTemplates(tree, ROOT);
const onDisk = workspaceFiles();

describe.each(AUTH_STYLES)("the %s standalone template", (auth) => {
  const dir = `templates/${STYLES[auth].template}`;
  const files = rendered.get(auth) as Map<string, string>;
  const disk = onDisk.filter((file) => file.startsWith(`${dir}/`)).map((file) => file.slice(dir.length + 1));

  it("holds exactly the files the generator renders, plus wrangler's Env types", () => {
    expect(disk.sort(), SYNC).toEqual([...files.keys(), "worker-configuration.d.ts"].sort());
  });

  it("has the text the generator renders, file by file", () => {
    for (const [path, text] of files) expect(readFileSync(join(ROOT, dir, path), "utf8"), `${dir}/${path}: ${SYNC}`).toBe(text);
  });

  it("has Env types that match its wrangler.jsonc (wrangler types --check)", () => {
    expect(existsSync(join(ROOT, dir, "worker-configuration.d.ts"))).toBe(true);
    execFileSync(
      join(ROOT, "node_modules", ".bin", "wrangler"),
      ["types", "--env-file", ".dev.vars.example", "--include-runtime=false", "--strict-vars=false", "--check"],
      { cwd: join(ROOT, dir), stdio: "pipe", env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true" } },
    );
  });

  it("reaches nothing outside its folder: published libs at their current release, no workspace paths", () => {
    for (const [path, text] of files) {
      if (path === "scripts/build-ui.mjs") {
        // The workspace's own view builder, verbatim: its monorepo paths (usage, workspace: dependencies) are inert here.
        expect(text).toBe(readFileSync(join(ROOT, "tools", "build-ui.mjs"), "utf8"));
        continue;
      }
      expect(text, path).not.toMatch(/\.\.\/\.\.\/|workspace:|catalog:|@repo\/|\bnx (dev|e2e|test)\b/);
    }
    const { scope } = releaseConfig(tree);
    const pkg = JSON.parse(files.get("package.json") as string);
    for (const lib of ["mcp-app", "mcp-core", ...(auth === "authless" ? [] : ["auth-handlers"])]) {
      const version = JSON.parse(readFileSync(join(ROOT, "libs", lib, "package.json"), "utf8")).version;
      expect(pkg.dependencies[`${scope}/${lib}`]).toBe(`^${version}`);
    }
    expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(["start", "test", "deploy"]));
  });

  it("starts its README with the create-cloudflare line that points at it", () => {
    const { repository } = releaseConfig(tree);
    const readme = files.get("README.md") as string;
    expect(readme.split("\n").slice(0, 5).join("\n")).toContain(
      `npm create cloudflare@latest -- my-mcp-server --template=${repository}/${dir}`,
    );
  });

  it("carries every example tool of libs/mcp-tools in its own src/tools, importing the published core", () => {
    const views = files.has("scripts/build-ui.mjs");
    const tools = onDisk
      .filter((file) => file.startsWith("libs/mcp-tools/src/"))
      .map((file) => file.replace("libs/mcp-tools/src/", ""))
      // A view imports what build-ui builds: only in a template that serves views.
      .filter((file) => views || !isViewFile(file));
    expect([...files.keys()].filter((path) => path.startsWith("src/tools/")).map((path) => path.replace("src/tools/", ""))).toEqual(
      expect.arrayContaining(tools),
    );
    expect(files.get("src/index.ts")).toContain('from "./tools/index.js"');
  });
});

it("the root README gives each template's create-cloudflare line, with the configured repository", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const { repository, scope } = releaseConfig(tree);
  for (const auth of AUTH_STYLES) {
    expect(readme).toContain(`npm create cloudflare@latest -- my-mcp-server --template=${repository}/templates/${STYLES[auth].template}`);
  }
  expect(readme).toContain(`${scope}/mcp-app`);
  expect(readme).toContain("### Receiving fixes");
});
