import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type AppInfo, diskFiles, readApps } from "../src/workspace.ts";
import { run, tail } from "./run.ts";
import { ROOT } from "./workspace.ts";

// Every deployable app's wrangler.jsonc has the same shape: $schema, dev.port, bindings, and
// `staging` and `production` environments that repeat every binding and var wrangler does not
// inherit, with their own ids and origins. `wrangler deploy --dry-run` must accept both.

/** Keys wrangler does not inherit from the top level into an environment (those this workspace can use). */
const NOT_INHERITED = [
  "vars",
  "kv_namespaces",
  "durable_objects",
  "d1_databases",
  "services",
  "ratelimits",
  "r2_buckets",
  "queues",
  "secrets",
];
const ENVIRONMENTS = ["staging", "production"] as const;
const PLACEHOLDER_ID = /^REPLACE_WITH_(STAGING|PRODUCTION)_[A-Z0-9_]+$/;

type Section = Record<string, unknown>;
interface Named {
  binding?: string;
  name?: string;
  id?: string;
  database_id?: string;
}

function names(section: Section, key: string): string[] {
  const value = key === "durable_objects" ? (section[key] as { bindings?: Named[] } | undefined)?.bindings : section[key];
  if (key === "vars" || key === "secrets") return Object.keys((section[key] as Section | undefined) ?? {}).sort();
  return ((value as Named[] | undefined) ?? []).map((entry) => entry.binding ?? entry.name ?? "").sort();
}

const ids = (section: Section) =>
  [...((section.kv_namespaces as Named[] | undefined) ?? []), ...((section.d1_databases as Named[] | undefined) ?? [])].map(
    (entry) => entry.id ?? entry.database_id,
  );

const deployable = readApps(diskFiles(ROOT)).filter((app) => app.deployable);

describe.each(deployable.map((app): [string, AppInfo] => [app.name, app]))("%s/wrangler.jsonc", (_, app) => {
  const config = app.wrangler as NonNullable<AppInfo["wrangler"]>;
  const env = (name: string) => (config.env?.[name] ?? {}) as Section;

  it("has the workspace's shape: $schema, name, main, dev.port and the two deploy environments", () => {
    expect(config.$schema).toBe("../../node_modules/wrangler/config-schema.json");
    expect(config.name).toBe(app.name);
    expect(config.main).toBe("src/index.ts");
    expect(config.dev?.port).toBeTypeOf("number");
    expect(Object.keys(config.env ?? {})).toEqual(expect.arrayContaining([...ENVIRONMENTS]));
  });

  it.each(ENVIRONMENTS)("%s repeats every binding and var the top level has (wrangler does not inherit them)", (name) => {
    for (const key of NOT_INHERITED) expect(names(env(name), key), `${name}.${key}`).toEqual(names(config, key));
  });

  it("gives each environment its own KV and D1 ids, placeholders until filled in", () => {
    const [local, staging, production] = [ids(config), ids(env("staging")), ids(env("production"))];
    for (const id of [...staging, ...production]) expect(id).not.toMatch(/^0[0-]*$/);
    for (const [i, id] of staging.entries()) expect([local[i], production[i]]).not.toContain(id);
    for (const id of [...staging, ...production]) if (id?.startsWith("REPLACE")) expect(id).toMatch(PLACEHOLDER_ID);
  });

  if (app.kind !== "user-backend") {
    it("serves loopback locally and its own origins when deployed: PUBLIC_ORIGINS and ALLOWED_ORIGINS per environment", () => {
      const vars = (section: Section) => (section.vars ?? {}) as Record<string, string>;
      expect(vars(config).PUBLIC_ORIGINS).toBe("");
      expect(vars(config)).toHaveProperty("ALLOWED_ORIGINS");
      const staging = vars(env("staging")).PUBLIC_ORIGINS;
      expect(env("staging").workers_dev).toBe(true);
      expect(staging).toMatch(new RegExp(`^https://${app.name}-staging\\.[a-z0-9-]+\\.workers\\.dev$`));
      const production = env("production");
      const hosts = ((production.routes as Array<{ pattern: string }> | undefined) ?? []).map((route) => `https://${route.pattern}`);
      expect(production.workers_dev).toBe(false);
      expect(hosts).toContain(vars(production).PUBLIC_ORIGINS);
    });
  }
});

describe.each(deployable.filter((app) => app.kind === "mock" || app.kind === "github").map((app): [string, AppInfo] => [app.name, app]))(
  "%s (an OAuth app)",
  (_, app) => {
    it("fetches client metadata documents with global_fetch_strictly_public, in every environment (the flag is inherited)", () => {
      const config = app.wrangler as NonNullable<AppInfo["wrangler"]>;
      expect(config.compatibility_flags).toContain("global_fetch_strictly_public");
      for (const name of ENVIRONMENTS) expect(config.env?.[name], name).not.toHaveProperty("compatibility_flags");
    });
  },
);

describe("wrangler deploy --dry-run", () => {
  const out = mkdtempSync(join(tmpdir(), "mcp-dry-run-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  // Two at a time: each bundles the app with esbuild.
  it.concurrent.each(deployable.flatMap((app) => ENVIRONMENTS.map((name): [string, string] => [app.name, name])))(
    "%s --env %s",
    async (name, environment) => {
      const args = ["exec", "wrangler", "deploy", "--dry-run", "--env", environment, "--outdir", join(out, `${name}-${environment}`)];
      const result = await run("pnpm", args, join(ROOT, "apps", name));
      expect(result.status, tail(result)).toBe(0);
      expect(result.output).toContain("--dry-run: exiting now.");
    },
  );
});
