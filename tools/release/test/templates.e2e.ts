import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  connectSdkClient,
  freePort,
  HttpBrowser,
  mockSignIn,
  QUIET_ENV,
  spawnGroup,
  startFakeGitHub,
  TestOAuthProvider,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleSize } from "../src/bundle.ts";
import { publishedTemplates, TEMPLATE_APPS, type TemplateWorkspace } from "../src/install.ts";
import type { LocalRegistry } from "../src/registry.ts";
import { run, tail } from "../src/run.ts";
import { packageScope, ROOT } from "../src/stage.ts";

// A new user's first hour, for real: the libs as built now (dist/libs, Nx runs `build` first) are
// published to a Verdaccio registry on loopback (which proxies every other package to the npm registry),
// each template folder is taken out of a clean `git archive` of this checkout the way create-cloudflare
// takes it out of GitHub, installed with `npm install` in an empty folder, and must pass its own
// `npm test`; then `npm start` must answer a real MCP client (the OAuth templates after a full sign-in).
//
// TEMPLATES picks the templates (comma-separated); `nx e2e release` runs authless and mock-oauth (in
// `npm test`), `nx e2e-extra release` the other two (CI runs both).

const TEMPLATES = (process.env.TEMPLATES ?? "authless,mock-oauth").split(",").filter(Boolean);
const INSTALL_MS = 300_000;
const TEST_MS = 300_000;
const START_MS = 90_000;

let templates: TemplateWorkspace;
let registry: LocalRegistry;

beforeAll(async () => {
  templates = await publishedTemplates();
  registry = templates.registry;
}, 180_000);

afterAll(async () => {
  await templates?.stop();
});

interface Started {
  origin: string;
  logs(): string;
  stop(): Promise<void>;
}

/** `npm start -- <wrangler args>` on a free port, in its own process group; ready when it answers HTTP. */
async function npmStart(cwd: string, extra: string[] = []): Promise<Started> {
  const port = await freePort();
  let inspector = await freePort();
  while (inspector === port) inspector = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const server = spawnGroup(
    "npm",
    [
      "start",
      "--",
      "--port",
      String(port),
      "--ip",
      "127.0.0.1",
      "--inspector-port",
      String(inspector),
      "--var",
      "LOG_FORMAT:json",
      ...extra,
    ],
    { cwd, env: { ...registry.env, ...QUIET_ENV } },
  );
  const deadline = Date.now() + START_MS;
  while (Date.now() < deadline && server.child.exitCode === null) {
    try {
      await fetch(`${origin}/`, { signal: AbortSignal.timeout(2000) });
      return { origin, logs: server.output, stop: server.stop };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  await server.stop();
  throw new Error(`npm start in ${cwd} did not answer within ${START_MS} ms:\n${server.output()}`);
}

/** initialize (answered by this template, by name), tools/list and tools/call through the MCP SDK client. */
async function exercise(origin: string, name: string, auth?: TestOAuthProvider, headers?: Record<string, string>) {
  const client = await connectSdkClient(`${origin}/mcp`, "streamable-http", auth, headers);
  try {
    expect(client.getServerVersion()?.name).toBe(name);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toContain("add");
    const result = await client.callTool({ name: "add", arguments: { a: 2, b: 40 } });
    expect(result.structuredContent).toEqual({ result: 42 });
    expect(result.content).toEqual([{ type: "text", text: "2 + 40 = 42" }]);
  } finally {
    await client.close();
  }
}

/** How each template's `npm start` is reached by a client: its auth, played for real. */
const clients: Record<string, (project: string, name: string) => Promise<void>> = {
  authless: async (project, name) => {
    const server = await npmStart(project);
    try {
      await exercise(server.origin, name);
    } finally {
      await server.stop();
    }
  },
  "mock-oauth": async (project, name) => {
    const server = await npmStart(project);
    try {
      const unauthenticated = await fetch(`${server.origin}/mcp`, { method: "POST", body: "{}" });
      expect(unauthenticated.status).toBe(401);
      // Discovery from the 401, dynamic registration, PKCE, the mock sign-in and consent pages, the code exchange.
      const auth = new TestOAuthProvider((url) => mockSignIn(url));
      await exercise(server.origin, name, auth);
      expect(auth.tokens()?.access_token).toBeTruthy();
    } finally {
      await server.stop();
    }
  },
  "github-oauth": async (project, name) => {
    const github = await startFakeGitHub();
    const vars = Object.entries(github.vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]);
    const server = await npmStart(project, vars).catch(async (error) => {
      await github.close();
      throw error;
    });
    try {
      const browser = new HttpBrowser(github);
      const auth = new TestOAuthProvider((url) => browser.browse(url));
      await exercise(server.origin, name, auth);
      expect(auth.tokens()?.access_token).toBeTruthy();
    } finally {
      await Promise.all([server.stop(), github.close()]);
    }
  },
  "bearer-auth": async (project, name) => {
    // As its README says: copy .dev.vars.example to .dev.vars, then use a demo API key.
    copyFileSync(join(project, ".dev.vars.example"), join(project, ".dev.vars"));
    const server = await npmStart(project);
    try {
      const refused = await fetch(`${server.origin}/mcp`, {
        method: "POST",
        headers: { Authorization: "Bearer mcpk_not_a_key" },
        body: "{}",
      });
      expect(refused.status).toBe(401);
      await exercise(server.origin, name, undefined, { Authorization: "Bearer mcpk_demo_ci_UOjtBsMkZ7L4Xo838glAtSDN" });
    } finally {
      await server.stop();
    }
  },
};

describe.each(TEMPLATES)("templates/%s, installed from the published libs", (template) => {
  let project = "";
  let name = "";

  beforeAll(() => {
    // create-cloudflare copies one folder of the repository into a new, empty project folder.
    project = templates.create(template);
    name = JSON.parse(readFileSync(join(project, "package.json"), "utf8")).name;
  });

  it("installs with npm from the registry: the published libs at the version it names", async () => {
    const installed = await templates.install(project, INSTALL_MS);
    expect(installed.status, `npm install:\n${tail(installed)}`).toBe(0);
    const manifest = JSON.parse(readFileSync(join(project, "package.json"), "utf8"));
    const mcpApp = `${packageScope()}/mcp-app`;
    const version = JSON.parse(readFileSync(join(project, "node_modules", mcpApp, "package.json"), "utf8")).version;
    expect(manifest.dependencies[mcpApp]).toBe(`^${version}`);
    expect(version).toBe(JSON.parse(readFileSync(join(ROOT, "libs", "mcp-app", "package.json"), "utf8")).version);
    // Nothing came from this checkout: the packages are the registry's tarballs, not links.
    expect(readFileSync(join(project, "package-lock.json"), "utf8")).toContain(`${registry.url}${mcpApp}/-/`);
  });

  it("passes its own npm test: typecheck, unit tests in workerd, the MCP contract e2e", async () => {
    const env = { ...registry.env, CI: "true", NO_COLOR: "1", FORCE_COLOR: "0" };
    const tested = await run("npm", ["test"], { cwd: project, env, timeoutMs: TEST_MS });
    expect(tested.status, `npm test:\n${tail(tested, 120)}`).toBe(0);
    // Both vitest runs reported: the unit tests (src/, in workerd) and the e2e (test/contract.e2e.ts).
    expect(tested.output.match(/Test Files\s+\d+ passed/g)).toHaveLength(2);
    expect(tested.output).toContain("test/contract.e2e.ts");
  });

  it("bundles within 5% of the same app built in the monorepo (wrangler deploy --dry-run --minify, gzip)", () => {
    const ours = bundleSize(project, true);
    const app = bundleSize(join(ROOT, "apps", TEMPLATE_APPS[template] as string), true);
    expect(Math.abs(ours.gzip / app.gzip - 1), `template ${ours.gzip} B, app ${app.gzip} B`).toBeLessThanOrEqual(0.05);
  });

  it("answers an MCP client on npm start: initialize, tools/list, tools/call", async () => {
    await (clients[template] as (project: string, name: string) => Promise<void>)(project, name);
  });
});
