import {
  challengeParam,
  connectModernClient,
  connectSdkClient,
  initializeRequest,
  jsonRpcErrorOf,
  loggedRequests,
  type OtlpReceiver,
  postJsonRpc,
  printServerLogOnFailure,
  probeSse,
  startOtlpReceiver,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { bearer, readmeClaudeConfigs, requestLines, runClaudeDesktopEntry, TOKENS, USERS } from "./demo.js";
import { type BothWorkers, startWithUserApi } from "./dev.js";

// The default configuration, as `npx nx dev` runs it: both Workers in one wrangler session, tokens
// validated by the user backend over the USER_API service binding, on the seeded demo database.

let server: BothWorkers;
// Spans go to a collector stand-in, so the exporter runs for real under every case of this file.
let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
  server = await startWithUserApi(inject("seededState"), { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.url });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
});
printServerLogOnFailure(() => server);

const TOOLS = ["add", "calculate", "getToken", "get_user_data", "count_slowly"];
const adaToken = {
  scheme: "Bearer",
  source: "header",
  masked: "uapi…3eRs",
  fingerprint: "sha256:fdfe88f6a38a",
  kind: "user-token",
  holder: "user:1",
};

interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  listTools(): Promise<{ tools: Array<{ name: string }> }>;
}

/** What every client must see with Ada's token: the tools, her masked token, her profile, and never the token. */
async function expectAda(client: ToolCaller): Promise<void> {
  expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(TOOLS);
  const token = await client.callTool({ name: "getToken", arguments: {} });
  expect(token).toMatchObject({ structuredContent: adaToken });
  expect(JSON.stringify(token)).not.toContain(TOKENS.ada);
  const user = await client.callTool({ name: "get_user_data", arguments: {} });
  expect(user).not.toHaveProperty("isError");
  expect(user).toMatchObject({ structuredContent: USERS.ada });
}

describe("MCP clients with Authorization: Bearer", () => {
  it.each(["streamable-http", "sse"] as const)("SDK v1 (2025-11-25) over %s", async (kind) => {
    const client = await connectSdkClient(`${server.origin}/${kind === "sse" ? "sse" : "mcp"}`, kind, undefined, bearer(TOKENS.ada));
    try {
      await expectAda(client);
    } finally {
      await client.close();
    }
  });

  it("SDK v2 pinned to 2026-07-28, as another user", async () => {
    const client = await connectModernClient(`${server.origin}/mcp`, undefined, bearer(TOKENS.grace));
    try {
      const result = await client.callTool({ name: "get_user_data", arguments: {} });
      expect(result.structuredContent).toEqual(USERS.grace);
      expect(result.content).toEqual([{ type: "text", text: "Grace Hopper <grace@example.com>, role: member (user 2)" }]);
    } finally {
      await client.close();
    }
  });

  // The README's Claude Desktop configs, run as Claude Desktop runs them (token from the env entry).
  const [config, windowsConfig] = readmeClaudeConfigs();
  it.each([
    ["the README config, default strategy on /mcp", config, "/mcp", [], "StreamableHTTPClientTransport"],
    ["the README config on /sse with --transport sse-only", config, "/sse", ["--transport", "sse-only"], "SSEClientTransport"],
    ["the README's Windows variant (Authorization:$AUTH_HEADER)", windowsConfig, "/mcp", [], "StreamableHTTPClientTransport"],
    ["the Windows variant on /sse with --transport sse-only", windowsConfig, "/sse", ["--transport", "sse-only"], "SSEClientTransport"],
  ] as const)("mcp-remote from %s", async (_, entry, path, args, transport) => {
    expect(entry?.env).toBeDefined();
    // The documented URL is /mcp; the /sse cases swap the path as the README tells a user to.
    const run = await runClaudeDesktopEntry(entry as NonNullable<typeof entry>, "http://localhost:8789/mcp", `${server.origin}${path}`, [
      ...args,
    ]);
    try {
      expect(run.stderr()).toContain(`Connected to remote server using ${transport}`);
      await expectAda(run.client);
    } finally {
      await run.close();
    }
    expect(run.stderr()).not.toContain(TOKENS.ada);
  });
});

describe("requests without a usable token", () => {
  const metadataUrl = () => `${server.origin}/.well-known/oauth-protected-resource`;

  it("challenges a missing token with 401 naming the protected resource metadata, which is served", async () => {
    for (const response of [await postJsonRpc(`${server.origin}/mcp`, initializeRequest), await probeSse(`${server.origin}/sse`)]) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${metadataUrl()}"`);
    }
    const metadata = await fetch(metadataUrl());
    expect(await metadata.json()).toEqual({
      resource: server.origin,
      bearer_methods_supported: ["header"],
      scopes_supported: ["mcp:tools"],
      resource_name: "Remote MCP Server (bearer token)",
    });
  });

  it.each([
    ["an unknown token", "uapi_demo_nobody_0000000000000000"],
    ["the stored SHA-256 of a real token", "fdfe88f6a38aabdd2bffee1b6a8fd5bf9bdb173f3e4a6b25d9524f0902af2fc0"],
    ["an API key (this server validates with the backend)", TOKENS.laptopKey],
  ])("answers %s with 401 invalid_token", async (_, token) => {
    const response = await postJsonRpc(`${server.origin}/mcp`, initializeRequest, bearer(token));
    expect(response.status).toBe(401);
    const challenge = response.headers.get("www-authenticate");
    expect(challengeParam(challenge, "error")).toBe("invalid_token");
    expect(challengeParam(challenge, "resource_metadata")).toBe(metadataUrl());
  });

  it.each([
    ["Basic YWRhOnNlY3JldA==", "This server accepts only the Bearer scheme: send Authorization: Bearer <token>."],
    ["Bearer", "The Bearer token is empty."],
    [`Bearer ${TOKENS.ada} extra`, "The Bearer token must be a single value without spaces."],
    ["Bearer ab@cd", "The Bearer token contains characters a token may not have (allowed: letters, digits, - . _ ~ + / and trailing =)."],
  ])("answers the malformed header %j with 400 invalid_request", async (header, message) => {
    const response = await postJsonRpc(`${server.origin}/mcp`, initializeRequest, { Authorization: header });
    expect(response.status).toBe(400);
    expect(challengeParam(response.headers.get("www-authenticate"), "error")).toBe("invalid_request");
    expect((await jsonRpcErrorOf(response)).error.message).toBe(`Bad Request: ${message}`);
  });

  it("refuses ?auth_token= while query tokens are off, even with a valid token", async () => {
    const response = await postJsonRpc(`${server.origin}/mcp?auth_token=${TOKENS.ada}`, initializeRequest);
    expect(response.status).toBe(400);
    expect((await jsonRpcErrorOf(response)).error.message).toMatch(
      /^Bad Request: Tokens in the query string \(\?auth_token=\) are turned off/,
    );
  });

  it("refuses a foreign Origin with 403 even with a valid token, and lets a loopback browser read the challenge", async () => {
    const foreign = await postJsonRpc(`${server.origin}/mcp`, initializeRequest, { ...bearer(TOKENS.ada), Origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    const challenge = await postJsonRpc(`${server.origin}/mcp`, initializeRequest, { Origin: "http://localhost:6274" });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("access-control-allow-origin")).toBe("http://localhost:6274");
    expect(challenge.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
  });

  it("answers malformed JSON from an authenticated caller with 400 and -32700", async () => {
    const response = await postJsonRpc(`${server.origin}/mcp`, '{"jsonrpc":"2.0","id":1,', bearer(TOKENS.ada));
    expect(response.status).toBe(400);
    expect((await jsonRpcErrorOf(response)).error.code).toBe(-32700);
  });
});

describe("the server's own output", () => {
  it("lists the tools and the header-based Claude Desktop config on the landing page", async () => {
    const html = await (await fetch(`${server.origin}/`)).text();
    for (const tool of TOOLS) expect(html).toContain(`<li><code>${tool}</code>`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote's placeholder, shown literally.
    expect(html).toContain("Authorization: Bearer ${AUTH_TOKEN}");
  });

  it("never logged a token, and logged every request by path only", () => {
    const logs = server.logs();
    for (const token of Object.values(TOKENS)) expect(logs).not.toContain(token);
    const routes = new Set(requestLines(logs).map((line) => line.route));
    expect([...routes].every((route) => !route.includes("?"))).toBe(true);
    expect(routes).toContain("/mcp");
    expect(routes).toContain("/sse/message");
  });
});

describe("trace context from the client to the user backend", () => {
  const PARENT = "00f067aa0ba902b7";
  /** The JSON lines of one Worker of the session (wrangler prefixes each with its name). */
  const linesOf = (worker: string) =>
    server
      .logs()
      .split("\n")
      .filter((line) => line.startsWith(`[${worker}] {`))
      .flatMap((line) => {
        try {
          return [JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>];
        } catch {
          return [];
        }
      });

  async function expectTraced(trace: string, parent: string): Promise<void> {
    // The MCP server: the tool's line and the request's line, both in the caller's trace.
    const mcp = linesOf("remote-mcp-bearer-auth").filter((line) => line.trace_id === trace);
    expect(mcp.filter((line) => line.event === "tool").map((line) => [line.tool, line.outcome])).toContainEqual(["get_user_data", "ok"]);
    expect(mcp.find((line) => line.route === "/mcp" && line.tool === "get_user_data")).toMatchObject({
      status: 200,
      outcome: "ok",
      latency_ms: expect.any(Number),
    });
    // The user backend: called in the same trace, each call from a span of its own (never the caller's).
    const backend = linesOf("example-user-api").filter((line) => line.trace_id === trace);
    expect(backend.length).toBeGreaterThanOrEqual(1);
    expect(backend.every((line) => line.route === "/me" && typeof line.parent_span_id === "string" && line.parent_span_id !== parent)).toBe(
      true,
    );
    // The exported spans: caller → this Worker's request → tool call → GET /me, the span the backend saw as its parent.
    const spans = await receiver.waitFor(
      (received) => received.filter((span) => span.traceId === trace && span.name === "GET /me").length >= backend.length,
    );
    const traced = spans.filter((span) => span.traceId === trace);
    const byId = new Map(traced.map((span) => [span.spanId, span]));
    const calls = traced.filter((span) => span.name === "GET /me" && backend.some((line) => line.parent_span_id === span.spanId));
    expect(calls.length).toBe(backend.length);
    const fromTool = calls.find((span) => byId.get(span.parentSpanId ?? "")?.name === "tools/call get_user_data");
    expect(fromTool?.attributes).toMatchObject({ "http.request.method": "GET", "url.path": "/me", "http.response.status_code": 200 });
    const tool = byId.get(fromTool?.parentSpanId ?? "");
    const root = byId.get(tool?.parentSpanId ?? "");
    expect(root).toMatchObject({ name: "POST /mcp", kind: 2, parentSpanId: parent, service: "remote-mcp-bearer-auth" });
    expect(root?.attributes).toMatchObject({ "gen_ai.tool.name": "get_user_data", "mcp.outcome": "ok" });
    for (const token of Object.values(TOKENS)) expect(receiver.bodies().join("\n")).not.toContain(token);
  }

  it("a traceparent header: every line of the call, the backend's line and the spans carry its trace id", async () => {
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const client = await connectSdkClient(`${server.origin}/mcp`, "streamable-http", undefined, {
      ...bearer(TOKENS.ada),
      traceparent: `00-${trace}-${PARENT}-01`,
    });
    try {
      expect(await client.callTool({ name: "get_user_data", arguments: {} })).toMatchObject({ structuredContent: USERS.ada });
    } finally {
      await client.close();
    }
    await expectTraced(trace, PARENT);
  });

  it("a traceparent in the message's _meta (SEP-414), over a header naming another trace", async () => {
    const trace = "0af7651916cd43dd8448eb211c80319c";
    const parent = "b7ad6b7169203331";
    const client = await connectModernClient(`${server.origin}/mcp`, undefined, {
      ...bearer(TOKENS.grace),
      traceparent: `00-${"1".repeat(32)}-${PARENT}-01`,
    });
    try {
      const result = await client.callTool({ name: "get_user_data", arguments: {}, _meta: { traceparent: `00-${trace}-${parent}-01` } });
      expect(result.structuredContent).toEqual(USERS.grace);
    } finally {
      await client.close();
    }
    await expectTraced(trace, parent);
  });

  it("a malformed traceparent is ignored: the call runs in a new trace, and the value is never echoed", async () => {
    const bad = `00-${"A".repeat(32)}-${PARENT}-01`;
    const response = await postJsonRpc(
      `${server.origin}/mcp`,
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 1, b: 2 } } },
      { ...bearer(TOKENS.ada), traceparent: bad, "MCP-Protocol-Version": "2025-11-25" },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("traceparent")).toBeNull();
    expect(server.logs()).not.toContain("A".repeat(32));
    const line = loggedRequests(server.logs()).findLast((entry) => entry.tool === "add");
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});
