import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseJson } from "@nx/devkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tableRowsIn } from "../src/readme.ts";
import { AUTH_STYLES, STYLES } from "../src/styles.ts";
import type { PackageJson, WranglerConfig } from "../src/workspace.ts";
import { type Run, run, tail } from "./run.ts";
import { ROOT, workspaceFiles } from "./workspace.ts";

// The generators as a developer runs them, in a temporary copy of this workspace with its own
// node_modules (pnpm install --offline: hard links from the store, no network), so nothing here
// touches the real workspace. Then every generated app must pass what CI runs: typecheck, lint
// (biome + wrangler types --check), unit tests in workerd and e2e (the shared contract, GitHub played
// by the fake of @repo/mcp-app/testing, and the landing page in Chromium).

// The authless app is generated with --ui (an MCP Apps view and its tool), so its checks cover that too.
const apps = AUTH_STYLES.map((auth) => ({ auth, name: `gen-${auth}`, ui: auth === "authless" }));
let ws = "";

const nx = (args: string[], timeoutMs?: number) => run(join(ws, "node_modules", ".bin", "nx"), args, ws, timeoutMs);
const readJson = <T extends object>(path: string) => parseJson<T>(readFileSync(join(ws, path), "utf8"));

beforeAll(async () => {
  ws = mkdtempSync(join(tmpdir(), "mcp-generators-"));
  for (const file of workspaceFiles()) {
    if (file.startsWith("docs/images/")) continue;
    mkdirSync(join(ws, dirname(file)), { recursive: true });
    cpSync(join(ROOT, file), join(ws, file));
  }
  const install = await run("pnpm", ["install", "--offline", "--frozen-lockfile"], ws);
  expect(install.status, tail(install)).toBe(0);
  // As documented: one tool, then an app per auth style (the generator's own install is skipped: one offline install after).
  const generated = [
    await nx(["g", "@repo/workspace-plugin:mcp-tool", "word_count"]),
    ...(await sequence(
      apps.map(
        (app) => () =>
          nx(["g", "@repo/workspace-plugin:mcp-app", app.name, `--auth=${app.auth}`, "--skipInstall", ...(app.ui ? ["--ui"] : [])]),
      ),
    )),
    await run("pnpm", ["install", "--offline", "--no-frozen-lockfile"], ws),
  ];
  for (const result of generated) expect(result.status, tail(result)).toBe(0);
});

afterAll(() => {
  if (ws) rmSync(ws, { recursive: true, force: true });
});

async function sequence<T>(steps: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  for (const step of steps) results.push(await step());
  return results;
}

describe("nx g @repo/workspace-plugin:mcp-app", () => {
  it("generates an app per auth style on the next free ports, listed in the README's apps table", () => {
    const ports = apps.map((app) => readJson<WranglerConfig>(`apps/${app.name}/wrangler.jsonc`).dev?.port);
    expect(ports).toEqual([8792, 8793, 8794, 8795]);
    for (const app of apps) {
      for (const file of [
        "src/index.ts",
        "worker-configuration.d.ts",
        ".dev.vars.example",
        "README.md",
        "test/landing.e2e.ts",
        "test/contract.e2e.ts",
      ]) {
        expect(existsSync(join(ws, "apps", app.name, file)), `${app.name}/${file}`).toBe(true);
      }
      expect(readJson<PackageJson>(`apps/${app.name}/package.json`).name).toBe(app.name);
      for (const file of ["src/greet.ts", "src/greet.test.ts", "ui/greeting/index.html", "ui/greeting/main.ts"]) {
        expect(existsSync(join(ws, "apps", app.name, file)), `${app.name}/${file}`).toBe(app.ui);
      }
    }
    // Built on install (postinstall), as in a fresh clone; git-ignored. An app builds only its own
    // views (--ui), imported as "#ui/<view>.html"; the calculator's is libs/mcp-tools' (@repo/mcp-tools/views/calculator).
    for (const app of apps) {
      const built = existsSync(join(ws, "apps", app.name, "dist", "ui", "greeting.html"));
      expect(built, app.name).toBe(app.ui);
      const pkg = readJson<PackageJson & { imports?: Record<string, string> }>(`apps/${app.name}/package.json`);
      expect(pkg.imports, app.name).toEqual(app.ui ? { "#ui/*": "./dist/ui/*" } : undefined);
      expect(readFileSync(join(ws, "apps", app.name, "wrangler.jsonc"), "utf8"), app.name).not.toContain('"assets"');
    }
    expect(readFileSync(join(ws, "apps", "gen-authless", "src", "index.ts"), "utf8")).toMatch(
      /tools: \[.*greet\],\n\s*resources: \[.*greetingUi\],/,
    );
    const rows = tableRowsIn(readFileSync(join(ws, "README.md"), "utf8")) ?? [];
    for (const app of apps) {
      expect(rows.find((row) => row[0] === `[${app.name}](apps/${app.name})`)?.[1]).toBe(STYLES[app.auth].label);
    }
  });

  it("refuses a name that exists or is not kebab-case, and an unknown auth style", async () => {
    for (const args of [
      ["gen-authless", "--auth=authless"],
      ["Bad_Name", "--auth=mock"],
      ["fine-name", "--auth=saml"],
    ]) {
      const result = await nx(["g", "@repo/workspace-plugin:mcp-app", ...args, "--skipInstall", "--dry-run"]);
      expect(result.status, tail(result)).not.toBe(0);
    }
  });
});

describe.concurrent("what CI runs passes at once", () => {
  it("for the generated apps: typecheck, lint and e2e of every style, unit tests of authless and mock", async () => {
    const all = apps.map((app) => app.name);
    const checks = await nx(["run-many", "-t", "typecheck", "lint", "-p", ...all, "--outputStyle=stream"], 180_000);
    expect(checks.status, tail(checks)).toBe(0);
    // The apps' e2e scripts, two apps at a time (each suite starts wrangler dev on free ports), unit tests after.
    const e2e = [];
    for (let i = 0; i < apps.length; i += 2) {
      e2e.push(...(await Promise.all(apps.slice(i, i + 2).map((app) => run("pnpm", ["run", "e2e"], join(ws, "apps", app.name), 240_000)))));
    }
    for (const [i, app] of apps.entries()) {
      const result = e2e[i] as Run;
      expect(result.status, `${app.name} e2e: ${tail(result)}`).toBe(0);
      expect(result.output, app.name).toMatch(/test\/landing\.e2e\.ts \(5 tests\)/);
      expect(result.output, app.name).toMatch(/test\/contract\.e2e\.ts \(\d+ tests\)/);
    }
    const unit = await nx(["run-many", "-t", "test", "-p", "gen-authless", "gen-mock", "--outputStyle=stream"], 120_000);
    expect(unit.status, tail(unit)).toBe(0);
    expect(unit.output).toMatch(/src\/greet\.test\.ts \(2 tests\)/);
  }, 480_000);

  it("for the generated tool: its test, the package's typecheck, lint; exported from the package", async () => {
    const lib = join(ws, "libs", "mcp-tools");
    expect(readFileSync(join(lib, "src", "index.ts"), "utf8")).toContain('export { wordCount } from "./word-count.js";');
    for (const [command, args] of [
      ["pnpm", ["exec", "vitest", "run", "src/word-count.test.ts"]],
      ["pnpm", ["exec", "tsc", "-p", "tsconfig.json"]],
      ["pnpm", ["exec", "biome", "check", "src/word-count.ts", "src/word-count.test.ts", "src/index.ts"]],
    ] as const) {
      const checked = await run(command, args, lib);
      expect(checked.status, `${args.join(" ")}: ${tail(checked)}`).toBe(0);
    }
  }, 180_000);
});
