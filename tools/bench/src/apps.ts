import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { authorizeClient, HttpBrowser, mockSignIn, startFakeGitHub } from "@repo/mcp-app/testing";
import { type BenchServer, ROOT, startBenchServer } from "./wrangler.js";

/**
 * Every server runs with request logging off: the shared layer's QUIET_LOGS, and wrangler at --log-level error.
 * RATE_LIMITING=off: every load request comes from one IP and one client, which the apps' rate limits
 * (libs/mcp-app/src/ratelimit.ts, 300 MCP requests/min) would otherwise answer with 429.
 */
const QUIET = { QUIET_LOGS: "true", RATE_LIMITING: "off" };

export interface RunningApp {
  server: BenchServer;
  /** Headers that authenticate a request (empty for public servers). */
  auth: Record<string, string>;
  stop(): Promise<void>;
}

export interface BenchApp {
  /** Short key used in the results. */
  key: string;
  /** The package (or tools/bench/trivial). */
  name: string;
  /** Directory of its wrangler config. */
  dir: string;
  /** "baseline" for the trivial Worker; MCP servers otherwise. */
  kind: "baseline" | "public" | "oauth" | "bearer";
  /** How the credential is obtained, for the report. */
  credential: string;
  /** Measured only when BENCH_APPS names it (diagnostic variants). */
  optional?: boolean;
  start(): Promise<RunningApp>;
}

const plain = async (dir: string, vars: Record<string, string> = {}): Promise<RunningApp> => {
  const server = await startBenchServer({ cwd: dir, vars: { ...QUIET, ...vars } });
  return { server, auth: {}, stop: () => server.stop() };
};

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

export const TRIVIAL_DIR = join(ROOT, "tools", "bench", "trivial");

export const APPS: BenchApp[] = [
  {
    key: "trivial",
    name: "trivial Worker (baseline)",
    dir: TRIVIAL_DIR,
    kind: "baseline",
    credential: "none",
    start: () => plain(TRIVIAL_DIR),
  },
  {
    key: "authless",
    name: "remote-mcp-authless",
    dir: join(ROOT, "apps", "remote-mcp-authless"),
    kind: "public",
    credential: "none",
    start: () => plain(join(ROOT, "apps", "remote-mcp-authless")),
  },
  {
    // The public app with span export on: every request's spans posted (OTLP/HTTP JSON, in waitUntil)
    // to a collector stand-in on loopback that drains and answers 200. Compare with "authless".
    key: "authless-traced",
    name: "remote-mcp-authless, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set",
    dir: join(ROOT, "apps", "remote-mcp-authless"),
    kind: "public",
    credential: "none",
    optional: true,
    async start() {
      const collector = await startCollectorSink();
      try {
        const running = await plain(this.dir, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url });
        return { ...running, stop: async () => void (await Promise.all([running.stop(), collector.close()])) };
      } catch (error) {
        await collector.close();
        throw error;
      }
    },
  },
  {
    key: "oauth",
    name: "remote-mcp-server",
    dir: join(ROOT, "apps", "remote-mcp-server"),
    kind: "oauth",
    credential: "access token from the real flow (DCR, PKCE S256, mock sign-in, code exchange)",
    async start() {
      const running = await plain(this.dir);
      try {
        const token = await authorizeClient(running.server.origin, mockSignIn, "bench");
        return { ...running, auth: bearer(token.access_token) };
      } catch (error) {
        await running.stop();
        throw error;
      }
    },
  },
  {
    // The OAuth app with its token cache off: what every call costs when the provider checks the token.
    key: "oauth-uncached",
    name: "remote-mcp-server, TOKEN_CACHE_TTL_SECONDS=0",
    dir: join(ROOT, "apps", "remote-mcp-server"),
    kind: "oauth",
    credential: "as oauth; every call validated against KV",
    optional: true,
    async start() {
      const running = await plain(this.dir, { TOKEN_CACHE_TTL_SECONDS: "0" });
      try {
        const token = await authorizeClient(running.server.origin, mockSignIn, "bench");
        return { ...running, auth: bearer(token.access_token) };
      } catch (error) {
        await running.stop();
        throw error;
      }
    },
  },
  {
    key: "bearer",
    name: "remote-mcp-bearer-auth",
    dir: join(ROOT, "apps", "remote-mcp-bearer-auth"),
    kind: "bearer",
    credential: "API key (BEARER_VALIDATOR=api-keys, API_KEYS holds its SHA-256)",
    async start() {
      const key = randomBytes(24).toString("base64url");
      const API_KEYS = JSON.stringify([{ label: "bench", sha256: createHash("sha256").update(key).digest("hex") }]);
      const running = await plain(this.dir, { BEARER_VALIDATOR: "api-keys", API_KEYS });
      return { ...running, auth: bearer(key) };
    },
  },
  {
    key: "github",
    name: "remote-mcp-github-oauth",
    dir: join(ROOT, "apps", "remote-mcp-github-oauth"),
    kind: "oauth",
    credential: "access token from the real flow, signed in at the fake GitHub of its e2e tests",
    async start() {
      const github = await startFakeGitHub();
      let running: RunningApp | undefined;
      try {
        running = await plain(this.dir, github.vars);
        const token = await authorizeClient(running.server.origin, new HttpBrowser(github).browse, "bench");
        const started = running;
        return {
          ...started,
          auth: bearer(token.access_token),
          stop: async () => {
            await Promise.all([started.stop(), github.close()]);
          },
        };
      } catch (error) {
        await Promise.all([running?.stop(), github.close()]);
        throw error;
      }
    },
  },
];

/** An OTLP/HTTP endpoint on a free loopback port that reads each post and answers 200, keeping nothing. */
async function startCollectorSink(): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => response.writeHead(200, { "Content-Type": "application/json" }).end("{}"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
