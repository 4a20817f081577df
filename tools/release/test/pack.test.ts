import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageScope, publishedLibs, ROOT, rewriteImports } from "../src/stage.ts";

// What `npm pack` of each staged lib would ship (dist/libs/<lib>, made by the lib's `build`, which
// Nx runs before this test: dependsOn ^build).

interface PackedFile {
  path: string;
  size: number;
}

function packList(dir: string): { name: string; version: string; files: PackedFile[] } {
  const output = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, npm_config_loglevel: "error" },
  });
  return JSON.parse(output)[0];
}

const libs = publishedLibs();

it("publishes the mechanism libs, and not the example tools", () => {
  expect(libs).toEqual(["auth-handlers", "mcp-app", "mcp-core"]);
});

describe.each(libs)("%s", (lib) => {
  const dir = join(ROOT, "dist", "libs", lib);
  const source = JSON.parse(readFileSync(join(ROOT, "libs", lib, "package.json"), "utf8"));

  it("is built (nx build; the test target depends on it)", () => {
    expect(existsSync(join(dir, "package.json")), `${dir} is missing: run \`npm run nx -- run-many -t build\``).toBe(true);
  });

  const manifestText = () => readFileSync(join(dir, "package.json"), "utf8");

  it("is named under the one scope, at the lib's version, with real version ranges only", () => {
    const manifest = JSON.parse(manifestText());
    expect(manifest.name).toBe(`${packageScope()}/${lib}`);
    expect(manifest.version).toBe(source.version);
    expect(manifest.private).toBeUndefined();
    expect(manifestText()).not.toMatch(/workspace:|catalog:|@repo\//);
    for (const range of Object.values({ ...manifest.dependencies, ...manifest.peerDependencies }) as string[]) {
      expect(range).toMatch(/^\^?\d+\.\d+\.\d+(-[\w.]+)?$/);
    }
  });

  it("ships JavaScript and declarations for every export, and no test, secret or source map", () => {
    const packed = packList(dir);
    const paths = packed.files.map((file) => file.path);
    expect(packed.name).toBe(`${packageScope()}/${lib}`);
    expect(paths).toEqual(expect.arrayContaining(["package.json", "README.md", "CHANGELOG.md"]));
    const exported = JSON.parse(manifestText()).exports as Record<string, { types: string; default: string }>;
    // Every entry but those kept for this repo's own tests (repoOnlyExports).
    const repoOnly: string[] = source.repoOnlyExports ?? [];
    expect(Object.keys(exported)).toEqual(Object.keys(source.exports).filter((entry) => !repoOnly.includes(entry)));
    for (const target of Object.values(exported)) {
      expect(paths).toContain(target.default.replace(/^\.\//, ""));
      expect(paths).toContain(target.types.replace(/^\.\//, ""));
    }
    const unwanted = paths.filter(
      (path) => /(^|\/)test\/|\.test\.|\.e2e\.|\.map$|(^|\/)\.dev\.vars|(^|\/)\.env|\.ts$/.test(path) && !path.endsWith(".d.ts"),
    );
    expect(unwanted).toEqual([]);
    expect(paths.filter((path) => !/\.(js|d\.ts|md|json)$/.test(path))).toEqual([]);
  });

  it("imports its sibling libs by their published names", () => {
    const files = packList(dir).files.filter((file) => /\.(js|d\.ts)$/.test(file.path));
    const texts = files.map((file) => readFileSync(join(dir, file.path), "utf8"));
    expect(texts.filter((text) => text.includes("@repo/"))).toEqual([]);
    const siblings = Object.keys(source.dependencies ?? {}).filter((name) => name.startsWith("@repo/"));
    for (const sibling of siblings) {
      const published = `${packageScope()}/${sibling.replace("@repo/", "")}`;
      expect(texts.some((text) => text.includes(`from "${published}"`))).toBe(true);
    }
  });
});

describe("rewriteImports", () => {
  it("names published libs by their scope and refuses an import of an unpublished one", () => {
    expect(rewriteImports(`import { log } from "@repo/mcp-core";`, "x.js")).toBe(`import { log } from "${packageScope()}/mcp-core";`);
    expect(rewriteImports(`export { default } from '@repo/mcp-app/testing/vitest-e2e';`, "x.js")).toBe(
      `export { default } from '${packageScope()}/mcp-app/testing/vitest-e2e';`,
    );
    expect(() => rewriteImports(`import { add } from "@repo/mcp-tools";`, "x.js")).toThrow(/mcp-tools, which is not published/);
  });
});
