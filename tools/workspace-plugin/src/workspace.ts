import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseJson, type Tree } from "@nx/devkit";
import { createTree } from "@nx/devkit/testing";
import { type AuthStyle, detectStyle } from "./styles.ts";

/** Read access to the workspace, from disk or from a generator's Tree (which sees its pending changes). */
export interface Files {
  /** A file's text, or undefined when there is none. */
  read(path: string): string | undefined;
  /** Names of the entries in a directory (empty when it does not exist). */
  list(dir: string): string[];
}

export function diskFiles(root: string): Files {
  return {
    read: (path) => {
      try {
        return readFileSync(join(root, path), "utf8");
      } catch {
        return undefined;
      }
    },
    list: (dir) => {
      try {
        return readdirSync(join(root, dir));
      } catch {
        return [];
      }
    },
  };
}

/** An in-memory Tree holding the files under `paths` (files or folders; no node_modules, build or state). */
export function diskTree(root: string, paths: readonly string[]): Tree {
  const tree = createTree();
  const add = (path: string) => {
    const full = join(root, path);
    if (!existsSync(full)) return;
    if (!statSync(full).isDirectory()) return tree.write(path, readFileSync(full));
    for (const entry of readdirSync(full)) {
      if (!["node_modules", ".wrangler", "dist"].includes(entry)) add(`${path}/${entry}`);
    }
  };
  for (const path of paths) add(path);
  return tree;
}

/** What rendering the standalone templates reads: the release config, versions, compiler options, apps and tools. */
export const TEMPLATE_INPUTS = ["package.json", "pnpm-workspace.yaml", "tsconfig.base.json", "apps", "libs", "tools/build-ui.mjs"] as const;

export function treeFiles(tree: Tree): Files {
  return { read: (path) => tree.read(path, "utf-8") ?? undefined, list: (dir) => (tree.exists(dir) ? tree.children(dir) : []) };
}

/** The parts of a wrangler.jsonc the workspace tooling reads. */
export interface WranglerConfig {
  name: string;
  dev?: { port?: number };
  env?: Record<string, Record<string, unknown>>;
  [key: string]: unknown;
}

export function readWranglerConfig(files: Files, appDir: string): WranglerConfig | undefined {
  const text = files.read(`${appDir}/wrangler.jsonc`);
  return text === undefined ? undefined : parseJson<WranglerConfig>(text, { expectComments: true });
}

export interface PackageJson {
  name: string;
  description?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

export type AppKind = AuthStyle | "user-backend" | "test-only";

export interface AppInfo {
  name: string;
  dir: string;
  port: number | undefined;
  kind: AppKind;
  /** Whether CI deploys it (it has a `deploy` script). */
  deployable: boolean;
  /** The tools its e2e expects, from test/landing.e2e.ts (or contract.e2e.ts). */
  tools: string[];
  packageJson: PackageJson;
  wrangler: WranglerConfig | undefined;
}

/** Tool names in the first `expectedTools: [...]` of a test file. */
export function expectedToolsIn(source: string | undefined): string[] | undefined {
  const list = source && /expectedTools:\s*\[([^\]]*)\]/.exec(source)?.[1];
  return list === undefined || list === "" ? undefined : [...list.matchAll(/"([^"]+)"/g)].map((match) => match[1] as string);
}

/** Every app in apps/, sorted: MCP templates first (by port), then the others. */
export function readApps(files: Files): AppInfo[] {
  const apps = files
    .list("apps")
    .filter((name) => files.read(`apps/${name}/package.json`) !== undefined)
    .map((name): AppInfo => {
      const dir = `apps/${name}`;
      const packageJson = parseJson<PackageJson>(files.read(`${dir}/package.json`) as string);
      const wrangler = readWranglerConfig(files, dir);
      const deployable = Boolean(packageJson.scripts?.deploy);
      const style = detectStyle(files.read(`${dir}/src/index.ts`) ?? "");
      const kind: AppKind = !deployable ? "test-only" : (style ?? "user-backend");
      const tools =
        expectedToolsIn(files.read(`${dir}/test/landing.e2e.ts`)) ?? expectedToolsIn(files.read(`${dir}/test/contract.e2e.ts`)) ?? [];
      return { name, dir, port: wrangler?.dev?.port, kind, deployable, tools, packageJson, wrangler };
    });
  const rank = (app: AppInfo) => (app.kind === "test-only" ? 2 : app.kind === "user-backend" ? 1 : 0);
  return apps.sort((a, b) => rank(a) - rank(b) || (a.port ?? 0) - (b.port ?? 0));
}

/** The first port from `from` up that no app's wrangler.jsonc uses. */
export function nextFreePort(files: Files, from = 8792): number {
  const used = new Set(readApps(files).map((app) => app.port));
  let port = from;
  while (used.has(port)) port++;
  return port;
}
