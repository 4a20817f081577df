import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  connectMcpRemote,
  connectModernClient,
  connectSdkClient,
  type DevServer,
  freePort,
  loggedRequests,
  mockSignIn,
  printServerLogOnFailure,
  startDevServer,
  TestOAuthProvider,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/** Real MCP clients, each signing in through the full OAuth flow, calling the real tools. */

let server: DevServer;
const scratch: string[] = [];

beforeAll(async () => {
  server = await startDevServer({ cwd: new URL("..", import.meta.url).pathname });
});
afterAll(async () => {
  await server?.stop();
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});
printServerLogOnFailure(() => server);

/** What both SDK generations' clients offer for a tool call. */
interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

const sum = { content: [{ type: "text", text: "2 + 3 = 5" }], structuredContent: { result: 5 } };
const divisionByZero = { isError: true, content: [{ type: "text", text: "Cannot divide 1 by zero." }] };
/** 2026-07-28 results name the server in `_meta`, since there is no initialize result to carry it. */
const modernMeta = {
  _meta: { "io.modelcontextprotocol/serverInfo": { name: "remote-mcp-server", title: "Remote MCP Server (mock OAuth)", version: "1.0.0" } },
};

/** A successful call and a tool error the model can act on, both exact. */
async function expectTools(client: ToolCaller, extra: object = {}): Promise<void> {
  expect(await client.callTool({ name: "add", arguments: { a: 2, b: 3 } })).toEqual({ ...sum, ...extra });
  expect(await client.callTool({ name: "calculate", arguments: { operation: "divide", a: 1, b: 0 } })).toEqual({
    ...divisionByZero,
    ...extra,
  });
}

describe("MCP TypeScript SDK clients", () => {
  it.each(["streamable-http", "sse"] as const)("v1 (2025-11-25) over %s signs in and calls tools", async (kind) => {
    const auth = new TestOAuthProvider((url) => mockSignIn(url));
    const client = await connectSdkClient(`${server.origin}/${kind === "sse" ? "sse" : "mcp"}`, kind, auth);
    try {
      expect(client.getServerVersion()).toMatchObject({ name: "remote-mcp-server", version: "1.0.0" });
      await expectTools(client);
    } finally {
      await client.close();
    }
    // RFC 9207: the redirect names the issuer, which is this server.
    expect(auth.lastRedirect?.searchParams.get("iss")).toBe(server.origin);
  });

  it("v2 pinned to 2026-07-28 over /mcp signs in and calls tools", async () => {
    const auth = new TestOAuthProvider((url) => mockSignIn(url));
    const client = await connectModernClient(`${server.origin}/mcp`, auth);
    try {
      await expectTools(client, modernMeta);
    } finally {
      await client.close();
    }
  });
});

/** Requests the server logged after the given offset in its output, as "METHOD /route status". */
const requestsSince = (offset: number) =>
  loggedRequests(server.logs().slice(offset)).map((request) => `${request.method} ${request.route} ${request.status}`);

/** Distinct transport requests, in order of first appearance. */
const transportRequests = (offset: number) => [...new Set(requestsSince(offset).filter((line) => / \/(mcp|sse)/.test(line)))];

/** The OAuth endpoints a sign-in touches; a run that reuses stored tokens touches none of them. */
const signInRequests = (offset: number) => requestsSince(offset).filter((line) => / \/(authorize|token|register) /.test(line));

const meaning = (url: string) => {
  const parsed = new URL(url);
  return { at: parsed.origin + parsed.pathname, query: [...parsed.searchParams] };
};

function tokenFiles(configDir: string): string[] {
  return readdirSync(configDir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith("_tokens.json"));
}

describe("mcp-remote 0.15.1, the stdio proxy Claude Desktop runs", () => {
  // The last column is what the server saw on the first run, distinct and in order: the probe for
  // a challenge, the unauthenticated attempt, then the transport mcp-remote settled on.
  const cases = [
    [
      "/sse, default strategy (http-first: POST /sse is 405, so it falls back to SSE)",
      "/sse",
      [],
      "SSEClientTransport",
      ["GET /sse 401", "POST /sse 401", "POST /sse 405", "GET /sse 200", "POST /sse/message 202"],
    ],
    [
      "/sse with --transport sse-only",
      "/sse",
      ["--transport", "sse-only"],
      "SSEClientTransport",
      ["GET /sse 401", "GET /sse 200", "POST /sse/message 202"],
    ],
    [
      "/mcp, default strategy",
      "/mcp",
      [],
      "StreamableHTTPClientTransport",
      ["GET /mcp 401", "POST /mcp 401", "POST /mcp 200", "POST /mcp 202", "GET /mcp 405"],
    ],
  ] as const;

  it.each(cases)("%s: signs in through the browser once, then reuses the stored tokens", async (_, path, args, transport, requests) => {
    const configDir = mkdtempSync(join(tmpdir(), "mcp-e2e-mcp-remote-"));
    scratch.push(configDir);
    const callbackPort = await freePort();
    const options = { url: `${server.origin}${path}`, configDir, callbackPort, args: [...args] };

    const firstRunFrom = server.logs().length;
    const first = await connectMcpRemote({ ...options, browse: (url) => mockSignIn(url) });
    try {
      expect(first.stderr()).toContain(`Connected to remote server using ${transport}`);
      await expectTools(first.client);
    } finally {
      await first.close();
    }
    expect(first.authorizations).toHaveLength(1);
    const authorization = first.authorizations[0] as URL;
    expect(authorization.origin + authorization.pathname).toBe(`${server.origin}/authorize`);
    expect(authorization.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorization.searchParams.get("redirect_uri")).toBe(`http://localhost:${callbackPort}/oauth/callback`);
    expect(authorization.searchParams.get("resource")).toBe(`${server.origin}/`);
    // It tried to open exactly that URL, and reached our stub rather than a browser.
    // (mcp-remote re-encodes the URL before opening it, so compare what it means, not its spelling.)
    expect(first.browserOpens().map(meaning)).toEqual([meaning(authorization.href)]);
    expect(first.stderr()).toContain("Browser opened automatically.");
    expect(tokenFiles(configDir)).toHaveLength(1);
    // Polled: wrangler relays the worker's log lines a moment after the responses.
    await expect.poll(() => transportRequests(firstRunFrom)).toEqual(requests);

    const secondRunFrom = server.logs().length;
    const second = await connectMcpRemote(options);
    try {
      expect(second.stderr()).toContain(`Connected to remote server using ${transport}`);
      await expectTools(second.client);
    } finally {
      await second.close();
    }
    expect(second.authorizations).toEqual([]);
    expect(second.browserOpens()).toEqual([]);
    // Every run opens with mcp-remote's unauthenticated discovery probe (a GET it reads the
    // WWW-Authenticate of); with stored tokens nothing after it is refused and no sign-in happens.
    const probe = `GET ${path} 401`;
    expect(requests[0]).toBe(probe);
    await expect.poll(() => transportRequests(secondRunFrom)).toEqual([probe, ...requests.filter((line) => !line.endsWith(" 401"))]);
    expect(signInRequests(secondRunFrom)).toEqual([]);
  });
});
