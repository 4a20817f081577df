import { readFileSync } from "node:fs";
import { auth } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ProgressNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import {
  type Browse,
  type DevServer,
  HttpBrowser,
  mockSignIn,
  startDevServer,
  startFakeGitHub,
  TestOAuthProvider,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AuthProxy, startAuthProxy } from "./auth-proxy.js";
import { recordResults } from "./report.js";
import { describeRun, FIXTURE_FREE, REQUIREMENTS, readBaseline, runSuite, type SuiteRun, unexpected } from "./run-suite.js";

// The real apps against every scenario that needs no fixture (FIXTURE_FREE), through a proxy that
// adds their credential. To add an app: one entry in APPS (and "implicitDependencies" in package.json).

/** What an app runs with: its wrangler vars and how an MCP client authenticates to it. */
interface AppSetup {
  /** Extra `wrangler dev --var` bindings. */
  vars?: Record<string, string>;
  /** The Authorization header value for MCP requests to the app at `origin`. */
  authorization?: (origin: string) => Promise<string>;
}

/** A stand-in for a service the app signs in with (e.g. GitHub), started before the app and stopped after it. */
interface Upstream extends AppSetup {
  stop(): Promise<void>;
}

interface AppUnderTest extends AppSetup {
  name: string;
  /** The app directory, relative to this file. */
  dir: string;
  /** Starts its upstream; the vars it returns are added to the entry's, its authorization replaces the entry's. */
  upstream?: () => Promise<Upstream>;
}

/**
 * Does what an MCP client does on a 401: follows the challenge's resource metadata, registers,
 * has `browse` play the user through the sign-in and exchanges the code (the SDK's own OAuth client).
 */
async function oauthToken(origin: string, browse: Browse): Promise<string> {
  const serverUrl = `${origin}/mcp`;
  const challenge = await fetch(serverUrl, { method: "POST" });
  expect(challenge.status).toBe(401);
  const metadata = /resource_metadata="([^"]+)"/.exec(challenge.headers.get("www-authenticate") ?? "")?.[1];
  expect(metadata).toBeDefined();
  const resourceMetadataUrl = new URL(metadata as string);
  const provider = new TestOAuthProvider(browse);
  expect(await auth(provider, { serverUrl, resourceMetadataUrl })).toBe("REDIRECT");
  expect(await auth(provider, { serverUrl, resourceMetadataUrl, authorizationCode: provider.code() })).toBe("AUTHORIZED");
  return `Bearer ${provider.tokens()?.access_token}`;
}

const APPS: AppUnderTest[] = [
  { name: "remote-mcp-server", dir: "../../remote-mcp-server", authorization: (origin) => oauthToken(origin, (url) => mockSignIn(url)) },
  { name: "remote-mcp-authless", dir: "../../remote-mcp-authless" },
  {
    name: "remote-mcp-bearer-auth",
    dir: "../../remote-mcp-bearer-auth",
    // API-key mode needs no user backend; the keys are the demo ones of .dev.vars.example.
    vars: { BEARER_VALIDATOR: "api-keys", API_KEYS: devVarsExample("../../remote-mcp-bearer-auth/.dev.vars.example", "API_KEYS") },
    authorization: async () => "Bearer mcpk_demo_laptop_pzfv_lhzupmRfsxfgKdda37m",
  },
  {
    name: "remote-mcp-github-oauth",
    dir: "../../remote-mcp-github-oauth",
    // GitHub is the fake of @repo/mcp-app/testing (offline); the token comes from the real flow through it.
    upstream: async () => {
      const github = await startFakeGitHub();
      const browser = new HttpBrowser(github);
      return { vars: github.vars, authorization: (origin) => oauthToken(origin, browser.browse), stop: () => github.close() };
    },
  },
];

/** One variable from an app's committed .dev.vars.example. */
function devVarsExample(path: string, name: string): string {
  const value = new RegExp(`^${name}=(.*)$`, "m").exec(readFileSync(new URL(path, import.meta.url), "utf8"))?.[1];
  if (!value) throw new Error(`${name} not found in ${path}`);
  return value;
}

const baseline = readBaseline(new URL("../conformance/apps-expected-failures.yml", import.meta.url).pathname);

describe.each(APPS)("$name", (app) => {
  const runs: SuiteRun[] = [];
  let server: DevServer;
  let proxy: AuthProxy;
  let upstream: Upstream | undefined;

  beforeAll(async () => {
    upstream = await app.upstream?.();
    server = await startDevServer({ cwd: new URL(app.dir, import.meta.url).pathname, vars: { ...app.vars, ...upstream?.vars } });
    proxy = await startAuthProxy(server.origin);
    proxy.authorization = await (upstream?.authorization ?? app.authorization)?.(server.origin);
  });

  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
    await upstream?.stop();
    const scope = `the fixture-free scenarios (${[...new Set(REQUIREMENTS.flatMap((requirement) => FIXTURE_FREE[requirement]))].length})`;
    if (runs.length > 0) recordResults(app.name, scope, baseline, runs);
  });

  const v1 = async (kind: "mcp" | "sse") => {
    const client = new Client({ name: "apps-e2e", version: "1.0.0" });
    const url = new URL(`${proxy.origin}/${kind}`);
    await client.connect(kind === "sse" ? new SSEClientTransport(url) : new StreamableHTTPClientTransport(url));
    return client;
  };

  /** Waits for the app's log line about a count_slowly call that ended early, and returns its duration. */
  const cancelledCount = async (since: number): Promise<number> => {
    for (let waited = 0; waited < 10_000; waited += 100) {
      const line = server
        .logs()
        .slice(since)
        .split("\n")
        .find((entry) => entry.includes('"tool":"count_slowly"') && entry.includes('"outcome":"tool_error"'));
      if (line) return JSON.parse(line.slice(line.indexOf("{"))).ms;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("the app never logged a cancelled count_slowly call");
  };

  it("offers the demo usage guide, prompt with completion, and long-running tool", async () => {
    const client = await v1("mcp");
    const { resources } = await client.listResources();
    expect(resources.map((resource) => resource.uri)).toContain("docs://usage-guide");
    const guide = await client.readResource({ uri: "docs://usage-guide" });
    expect(guide.contents[0]).toMatchObject({ mimeType: "text/markdown", text: expect.stringContaining("`count_slowly`") });
    const { prompts } = await client.listPrompts();
    expect(prompts.find((prompt) => prompt.name === "math_lesson")?.arguments).toEqual([
      { name: "topic", description: expect.any(String), required: true },
      { name: "level", description: expect.any(String), required: false },
    ]);
    const topics = await client.complete({ ref: { type: "ref/prompt", name: "math_lesson" }, argument: { name: "topic", value: "fr" } });
    expect(topics.completion.values).toEqual(["fractions"]);
    const lesson = await client.getPrompt({ name: "math_lesson", arguments: { topic: "fractions" } });
    expect(lesson.messages[0]?.content).toMatchObject({ text: expect.stringContaining("Teach me fractions") });

    const progress: number[] = [];
    client.setNotificationHandler(ProgressNotificationSchema, async ({ params }) => {
      progress.push(params.progress);
    });
    const counted = await client.callTool({ name: "count_slowly", arguments: { to: 3, delayMs: 50 }, _meta: { progressToken: "count" } });
    expect(counted.structuredContent).toEqual({ counted: 3 });
    expect(progress).toEqual([1, 2, 3]);
    await client.close();
  });

  it("stops count_slowly when a 2025-era client cancels it over /sse", async () => {
    const client = await v1("sse");
    const since = server.logs().length;
    const call = client.callTool({ name: "count_slowly", arguments: { to: 30, delayMs: 1000 } }, undefined, {
      signal: AbortSignal.timeout(1500),
    });
    await expect(call).rejects.toThrow();
    expect(await cancelledCount(since)).toBeLessThan(5000);
    await client.close();
  });

  it.each(REQUIREMENTS)(
    "passes the fixture-free scenarios of %s",
    async (requirement) => {
      const run = await runSuite({ url: `${proxy.origin}/mcp`, requirement, scenarios: FIXTURE_FREE[requirement], baseline });
      runs.push(run);
      console.log(describeRun(app.name, run));
      expect(run.scenarios.map((outcome) => outcome.scenario).sort()).toEqual([...FIXTURE_FREE[requirement]].sort());
      expect(unexpected(run).map((outcome) => outcome.scenario)).toEqual([]);
      expect(run.exitCode, run.output.slice(-3000)).toBe(0);
    },
    240_000,
  );
});
