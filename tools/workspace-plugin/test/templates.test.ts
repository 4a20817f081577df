import { parseJson } from "@nx/devkit";
import { describe, expect, it } from "vitest";
import { writeApp } from "../src/generators/mcp-app/generator.ts";
import { AUTH_STYLES, STYLES } from "../src/styles.ts";
import { expectedToolsIn, type PackageJson, readWranglerConfig, treeFiles, type WranglerConfig } from "../src/workspace.ts";
import { read, treeOf } from "./workspace.ts";

// Each auth style's template is the real app of that style with its names taken out: rendering a
// template with the real app's name, title and port must give back the real app. When someone
// changes a real app, this test names the template to change with it.

interface Binding {
  binding?: string;
  name?: string;
  service?: string;
}

/** What must agree between two wrangler configs: the names of things, not ids, hosts or limits. */
function shape(config: WranglerConfig | Record<string, unknown> | undefined) {
  const bindings = (value: unknown) =>
    Array.isArray(value)
      ? value.map((entry: Binding) =>
          [entry.binding ?? entry.name, entry.service?.replace(/-(staging|production)$/, "")].filter(Boolean).join("->"),
        )
      : undefined;
  const section = (config: Record<string, unknown> | undefined) => ({
    vars: Object.keys((config?.vars as Record<string, string> | undefined) ?? {}).sort(),
    kv: bindings(config?.kv_namespaces),
    d1: bindings(config?.d1_databases),
    services: bindings(config?.services),
    ratelimits: bindings(config?.ratelimits),
    durableObjects: bindings((config?.durable_objects as { bindings?: unknown } | undefined)?.bindings),
    workersDev: config?.workers_dev,
    routes: Array.isArray(config?.routes) ? config.routes.length : undefined,
    // The MCP Apps views' static assets: where they are, their binding, and that no request is answered from them.
    assets: config?.assets,
  });
  const env = (config?.env ?? {}) as Record<string, Record<string, unknown>>;
  return { ...section(config as Record<string, unknown>), staging: section(env.staging), production: section(env.production) };
}

describe.each(AUTH_STYLES)("the %s template", (auth) => {
  const reference = STYLES[auth].reference;
  const dir = `apps/${reference}`;
  const real = {
    index: read(`${dir}/src/index.ts`),
    packageJson: parseJson<PackageJson>(read(`${dir}/package.json`)),
    wrangler: readWranglerConfig({ read: (path) => read(path), list: () => [] }, dir) as WranglerConfig,
  };
  const title = /title: "([^"]+)"/.exec(real.index)?.[1] ?? "";
  // The workspace as it is; the template then writes over the reference app's files.
  const tree = treeOf(["apps/", "README.md"]);
  writeApp(tree, { name: reference, auth, title, port: real.wrangler.dev?.port ?? 0 });
  const generated = (path: string) => tree.read(`${dir}/${path}`, "utf-8") ?? "";

  it(`writes ${reference}'s src/index.ts, modulo its name and title`, () => {
    expect(generated("src/index.ts"), "npm run nx -- sync-templates @repo/workspace-plugin rewrites the templates").toBe(real.index);
  });

  it(`writes ${reference}'s wrangler.jsonc shape: bindings, vars and environments`, () => {
    const config = readWranglerConfig(treeFiles(tree), dir);
    expect(shape(config)).toEqual(shape(real.wrangler));
    expect(config?.dev?.port).toBe(real.wrangler.dev?.port);
  });

  it(`declares only dependencies ${reference} declares, and the same build, build-ui, lint, types, test and e2e scripts`, () => {
    const pkg = parseJson<PackageJson>(generated("package.json"));
    const theirs = { ...real.packageJson.dependencies, ...real.packageJson.devDependencies };
    for (const [name, specifier] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      expect(theirs[name], name).toBe(specifier);
    }
    for (const script of ["dev", "build", "deploy", "e2e", "typecheck", "lint", "types", "build-ui", "postinstall"]) {
      expect(pkg.scripts?.[script], script).toBe(real.packageJson.scripts?.[script]);
    }
  });

  it(`expects the tools ${reference}'s own e2e expects`, () => {
    const theirs = expectedToolsIn(read(`${dir}/test/landing.e2e.ts`));
    expect(expectedToolsIn(generated("test/landing.e2e.ts"))).toEqual(theirs);
    expect(expectedToolsIn(generated("test/contract.e2e.ts"))).toEqual(theirs);
  });

  it(`documents the secrets ${reference} documents in .dev.vars.example`, () => {
    const keys = (text: string) => [...text.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1]);
    expect(keys(generated(".dev.vars.example"))).toEqual(keys(read(`${dir}/.dev.vars.example`)));
  });
});
