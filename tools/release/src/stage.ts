// Builds a lib as the npm package it is published as, in dist/libs/<lib> (each published lib's
// `build`, run in the lib's folder):  node --experimental-strip-types ../../tools/release/src/stage.ts .
// tsc writes JavaScript and declarations (tsconfig.build.json: no tests, no source maps), then the
// package gets its package.json, README and CHANGELOG. In the repo the libs are `@repo/*` and export their TypeScript source; the
// staged package is `<scope>/<lib>`, exports the built files, and names real versions only.
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** The npm scope every published lib is named under: the one place it is set (root package.json, config.packageScope). */
export function packageScope(root = ROOT): string {
  const scope = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))?.config?.packageScope;
  if (typeof scope !== "string" || !/^@[a-z0-9][a-z0-9._-]*$/.test(scope) || scope === "@repo") {
    throw new Error(`root package.json: config.packageScope must be an npm scope other than @repo (got ${JSON.stringify(scope)})`);
  }
  return scope;
}

interface SourceManifest {
  name: string;
  version: string;
  description?: string;
  type?: string;
  sideEffects?: boolean;
  exports: Record<string, string>;
  repoOnlyExports?: string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  publishConfig?: Record<string, unknown>;
}

/** The libs that are published: those whose package.json has a publishConfig. Directory names under libs/. */
export function publishedLibs(root = ROOT): string[] {
  return readdirSync(join(root, "libs"))
    .filter((dir) => existsSync(join(root, "libs", dir, "package.json")))
    .filter((dir) => readManifest(join(root, "libs", dir)).publishConfig !== undefined)
    .sort();
}

const readManifest = (dir: string): SourceManifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));

/** Published name of an in-repo `@repo/<lib>` package, or undefined when that lib is not published. */
export function publishedName(repoName: string, root = ROOT): string | undefined {
  const lib = repoName.replace(/^@repo\//, "");
  return repoName.startsWith("@repo/") && publishedLibs(root).includes(lib) ? `${packageScope(root)}/${lib}` : undefined;
}

/** The pnpm catalog: every third-party version, pinned once. */
export function catalog(root = ROOT): Record<string, string> {
  return parse(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8")).catalog;
}

/**
 * A dependency range as published: `catalog:` becomes the pinned version (a caret range for peers, which
 * the consumer installs), `workspace:` a caret range on the lib's version, so `npm update` reaches its fixes.
 */
function resolveRange(name: string, range: string, root: string, peer = false): [string, string] {
  if (range === "catalog:") {
    const version = catalog(root)[name];
    if (!version) throw new Error(`${name} is "catalog:" but pnpm-workspace.yaml's catalog has no entry for it`);
    return [name, peer ? `^${version}` : version];
  }
  if (range.startsWith("workspace:")) {
    const published = publishedName(name, root);
    if (!published) throw new Error(`${name} is not a published lib: a published package cannot depend on it`);
    return [published, `^${readManifest(join(root, "libs", name.replace("@repo/", ""))).version}`];
  }
  return [name, range];
}

const resolveAll = (deps: Record<string, string> | undefined, root: string, peer = false) =>
  deps && Object.fromEntries(Object.entries(deps).map(([name, range]) => resolveRange(name, range, root, peer)));

/** The package.json a lib is published with. */
export function publishedManifest(libDir: string, root = ROOT): Record<string, unknown> {
  const source = readManifest(libDir);
  const name = publishedName(source.name, root);
  if (!name) throw new Error(`${source.name} has no publishConfig: it is not published`);
  // Entries this repo's own tests use and tsconfig.build.json leaves out (package.json's repoOnlyExports).
  const repoOnly = new Set<string>(source.repoOnlyExports ?? []);
  const exports = Object.fromEntries(
    Object.entries(source.exports)
      .filter(([entry]) => !repoOnly.has(entry))
      .map(([entry, file]) => {
        const js = file.replace(/\.ts$/, ".js");
        return [entry, { types: js.replace(/\.js$/, ".d.ts"), default: js }];
      }),
  );
  const repository = process.env.GITHUB_REPOSITORY
    ? { type: "git", url: `git+https://github.com/${process.env.GITHUB_REPOSITORY}.git`, directory: relative(root, libDir) }
    : undefined;
  return {
    name,
    version: source.version,
    description: source.description,
    license: JSON.parse(readFileSync(join(root, "package.json"), "utf8")).license,
    ...(repository ? { repository } : {}),
    type: source.type,
    ...(source.sideEffects === undefined ? {} : { sideEffects: source.sideEffects }),
    exports,
    dependencies: resolveAll(source.dependencies, root),
    ...(source.peerDependencies ? { peerDependencies: resolveAll(source.peerDependencies, root, true) } : {}),
    ...(source.peerDependenciesMeta ? { peerDependenciesMeta: source.peerDependenciesMeta } : {}),
    publishConfig: source.publishConfig,
  };
}

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) yield* filesUnder(path);
    else yield path;
  }
}

/** Rewrites the built files' `@repo/<lib>` imports to the published names; an import of an unpublished lib is an error. */
export function rewriteImports(text: string, file: string, root = ROOT): string {
  const rewritten = text.replace(/(["'])@repo\/([a-z0-9-]+)((?:\/[^"']*)?)\1/g, (_whole, quote: string, lib: string, subpath: string) => {
    const name = publishedName(`@repo/${lib}`, root);
    if (!name) throw new Error(`${file} imports @repo/${lib}, which is not published`);
    return `${quote}${name}${subpath}${quote}`;
  });
  if (rewritten.includes("@repo/")) throw new Error(`${file} still names @repo/ after the rewrite`);
  return rewritten;
}

/** Builds dist/libs/<lib> from scratch: tsc's output, package.json, README, CHANGELOG, imports under the published scope. */
export function stage(libDir: string, root = ROOT): string {
  const out = join(root, "dist", "libs", basename(libDir));
  rmSync(out, { recursive: true, force: true });
  execFileSync(join(libDir, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.build.json"], { cwd: libDir, stdio: "inherit" });
  for (const file of filesUnder(out)) {
    if (!/\.(js|d\.ts)$/.test(file)) continue;
    const text = readFileSync(file, "utf8");
    const rewritten = rewriteImports(text, file, root);
    if (rewritten !== text) writeFileSync(file, rewritten);
  }
  writeFileSync(join(out, "package.json"), `${JSON.stringify(publishedManifest(libDir, root), null, 2)}\n`);
  for (const doc of ["README.md", "CHANGELOG.md"]) {
    if (!existsSync(join(libDir, doc))) throw new Error(`${libDir}/${doc} is missing: every published lib has one`);
    copyFileSync(join(libDir, doc), join(out, doc));
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const libDir = process.argv[2];
  if (!libDir) throw new Error("usage: stage.ts libs/<lib>");
  console.log(`staged ${relative(ROOT, stage(join(process.cwd(), libDir)))}`);
}
