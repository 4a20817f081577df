import { McpServer, parseJSONRPCMessage, requireScopes, WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/server";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { jsonRpcKind } from "./jsonrpc.js";
import { LegacyExchange } from "./legacy-exchange.js";

const TASK = "io.modelcontextprotocol/related-task";

/** Messages on both sides of every rule of the SDK's JSONRPCMessageSchema. */
const MESSAGES: unknown[] = [
  { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 1 } } },
  { jsonrpc: "2.0", id: "a", method: "ping" },
  { jsonrpc: "2.0", id: 0, method: "x", params: {} },
  { jsonrpc: "2.0", id: -3, method: "x", params: { _meta: { progressToken: "p" } } },
  { jsonrpc: "2.0", id: 1, method: "x", params: { _meta: { progressToken: 7, other: [1] } } },
  { jsonrpc: "2.0", id: 1, method: "x", params: { _meta: { progressToken: 1.5 } } },
  { jsonrpc: "2.0", id: 1, method: "x", params: { _meta: { progressToken: null } } },
  { jsonrpc: "2.0", id: 1, method: "x", params: { _meta: { [TASK]: { taskId: "t" } } } },
  { jsonrpc: "2.0", id: 1, method: "x", params: { _meta: { [TASK]: { taskId: 1 } } } },
  { jsonrpc: "2.0", id: 1, method: "x", params: { _meta: { [TASK]: "t" } } },
  { jsonrpc: "2.0", id: 1, method: "x", params: { _meta: [] } },
  { jsonrpc: "2.0", id: 1, method: "x", params: { _meta: null } },
  { jsonrpc: "2.0", id: 1, method: "x", params: [] },
  { jsonrpc: "2.0", id: 1, method: "x", params: null },
  { jsonrpc: "2.0", id: 1, method: "x", params: "p" },
  { jsonrpc: "2.0", id: 1.5, method: "x" },
  { jsonrpc: "2.0", id: 2 ** 53, method: "x" },
  { jsonrpc: "2.0", id: null, method: "x" },
  { jsonrpc: "2.0", id: {}, method: "x" },
  { jsonrpc: "2.0", id: 1, method: 5 },
  { jsonrpc: "2.0", id: 1, method: "x", extra: true },
  { jsonrpc: "1.0", id: 1, method: "x" },
  { id: 1, method: "x" },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } },
  { jsonrpc: "2.0", method: "n", params: { _meta: { progressToken: false } } },
  { jsonrpc: "2.0", method: "n", extra: 1 },
  { jsonrpc: "2.0", id: 1, result: {} },
  { jsonrpc: "2.0", id: "r", result: { content: [], _meta: { a: 1 } } },
  { jsonrpc: "2.0", id: 1, result: { _meta: "m" } },
  { jsonrpc: "2.0", id: 1, result: [] },
  { jsonrpc: "2.0", id: 1, result: null },
  { jsonrpc: "2.0", result: {} },
  { jsonrpc: "2.0", id: 1, result: {}, extra: 1 },
  { jsonrpc: "2.0", id: 1, method: "x", result: {} },
  { jsonrpc: "2.0", id: 1, error: { code: -32600, message: "bad" } },
  { jsonrpc: "2.0", error: { code: -32600, message: "bad", data: { any: 1 } } },
  { jsonrpc: "2.0", id: 1, error: { code: -32600, message: "bad", extra: 1 } },
  { jsonrpc: "2.0", id: null, error: { code: -32600, message: "bad" } },
  { jsonrpc: "2.0", id: 1, error: { code: 1.5, message: "bad" } },
  { jsonrpc: "2.0", id: 1, error: { code: 1, message: 2 } },
  { jsonrpc: "2.0", id: 1, error: "bad" },
  { jsonrpc: "2.0", id: 1, error: { code: 1, message: "m" }, result: {} },
  { jsonrpc: "2.0", id: 1 },
  { jsonrpc: "2.0" },
  [{ jsonrpc: "2.0", id: 1, method: "x" }],
  "text",
  7,
  null,
  JSON.parse('{"jsonrpc":"2.0","id":1,"method":"x","__proto__":{}}'),
];

function sdkAccepts(message: unknown): boolean {
  try {
    parseJSONRPCMessage(message);
    return true;
  } catch {
    return false;
  }
}

describe("jsonRpcKind", () => {
  it.each(MESSAGES.map((message) => [JSON.stringify(message), message]))("agrees with the SDK's JSONRPCMessageSchema: %s", (_, message) => {
    expect(jsonRpcKind(message) !== undefined).toBe(sdkAccepts(message));
  });

  it("names the kind", () => {
    expect(jsonRpcKind({ jsonrpc: "2.0", id: 1, method: "ping" })).toBe("request");
    expect(jsonRpcKind({ jsonrpc: "2.0", method: "notifications/initialized" })).toBe("notification");
    expect(jsonRpcKind({ jsonrpc: "2.0", id: 1, result: {} })).toBe("response");
    expect(jsonRpcKind({ jsonrpc: "2.0", id: 1, error: { code: 1, message: "m" } })).toBe("response");
  });
});

const ADD = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 2, b: 3 } } };
const SLOW = { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "slow", arguments: {}, _meta: { progressToken: "p" } } };
const ACCEPT = "application/json, text/event-stream";

function server(): McpServer {
  const built = new McpServer({ name: "t", version: "1" }, { capabilities: { tools: {} } });
  built.registerTool("add", { description: "adds", inputSchema: z.object({ a: z.number(), b: z.number() }) }, ({ a, b }) => ({
    content: [{ type: "text", text: String(a + b) }],
  }));
  built.registerTool("slow", { description: "reports progress" }, async (ctx) => {
    await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: "p", progress: 1, total: 2 } });
    return { content: [{ type: "text", text: "done" }] };
  });
  built.registerTool("secret", { description: "needs a scope", scopeChallenge: requireScopes("admin") }, () => ({
    content: [{ type: "text", text: "ok" }],
  }));
  return built;
}

function post(body: unknown, headers: Record<string, string> = {}): Request {
  return new Request("http://localhost/mcp", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: ACCEPT, ...headers },
    body: JSON.stringify(body),
  });
}

const AUTH = {
  token: "[validated]",
  clientId: "c",
  scopes: ["read"],
  resourceMetadataUrl: "http://localhost/.well-known/oauth-protected-resource",
};

/** The same request answered by a LegacyExchange and by the SDK's stateless JSON transport. */
async function both(body: unknown, headers: Record<string, string> = {}, authInfo = AUTH) {
  const lean = server();
  const exchange = new LegacyExchange();
  await lean.connect(exchange);
  const ours = await exchange.serve(post(body, headers), body, authInfo);
  const sdk = server();
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await sdk.connect(transport);
  const theirs = await transport.handleRequest(post(body, headers), { parsedBody: body, authInfo });
  return { ours, theirs, ourBody: await ours.text(), theirBody: await theirs.text() };
}

describe("LegacyExchange", () => {
  it.each([
    ["a tools/call", ADD, {}],
    ["an unknown tool", { ...ADD, params: { name: "nope", arguments: {} } }, {}],
    ["bad arguments", { ...ADD, params: { name: "add", arguments: { a: "x" } } }, {}],
    ["an unknown method", { jsonrpc: "2.0", id: 3, method: "nope/nope" }, {}],
    ["a supported protocol version", ADD, { "MCP-Protocol-Version": "2025-06-18" }],
    ["an unsupported protocol version", ADD, { "MCP-Protocol-Version": "1999-01-01" }],
    [
      "initialize under any protocol version",
      {
        jsonrpc: "2.0",
        id: 0,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } },
      },
      { "MCP-Protocol-Version": "1999-01-01" },
    ],
    ["a message that is not JSON-RPC", { jsonrpc: "2.0", id: 1.5, method: "ping" }, {}],
    ["a notification", { jsonrpc: "2.0", method: "notifications/initialized" }, {}],
    ["a posted response", { jsonrpc: "2.0", id: 9, result: {} }, {}],
    ["a call its token lacks the scope for", { ...ADD, params: { name: "secret", arguments: {} } }, {}],
    ["a client that does not accept SSE", ADD, { Accept: "application/json" }],
  ])("answers %s as the SDK's transport does", async (_, body, headers) => {
    const { ours, theirs, ourBody, theirBody } = await both(body, headers);
    expect(ours.status).toBe(theirs.status);
    expect(ours.headers.get("content-type")).toBe(theirs.headers.get("content-type"));
    expect(ours.headers.get("www-authenticate")).toBe(theirs.headers.get("www-authenticate"));
    expect(ourBody ? JSON.parse(ourBody) : ourBody).toEqual(theirBody ? JSON.parse(theirBody) : theirBody);
  });

  it("streams a call whose handler notifies first: the notification, then the result", async () => {
    const exchange = new LegacyExchange();
    await server().connect(exchange);
    const response = await exchange.serve(post(SLOW), SLOW, AUTH);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const events = (await response.text())
      .split("\n\n")
      .filter(Boolean)
      .map((event) => JSON.parse(event.replace(/^event: message\ndata: /, "")));
    expect(events).toEqual([
      { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: "p", progress: 1, total: 2 } },
      { jsonrpc: "2.0", id: 2, result: { content: [{ type: "text", text: "done" }] } },
    ]);
  });

  it("serves one exchange and refuses a second", async () => {
    const exchange = new LegacyExchange();
    await server().connect(exchange);
    await exchange.serve(post(ADD), ADD, AUTH);
    await expect(exchange.serve(post(ADD), ADD, AUTH)).rejects.toThrow(/exactly one exchange/);
  });

  it.each([
    ["while its handler runs", 10],
    ["before its handler starts", 0],
  ])("rejects an answer not yet given when the server closes %s", async (_, runningMs) => {
    const built = new McpServer({ name: "t", version: "1" }, { capabilities: { tools: {} } });
    let aborted = false;
    built.registerTool("hang", { description: "never answers" }, (ctx) => {
      ctx.mcpReq.signal.addEventListener("abort", () => (aborted = true));
      return new Promise(() => {});
    });
    const exchange = new LegacyExchange();
    await built.connect(exchange);
    const hang = { ...ADD, params: { name: "hang", arguments: {} } };
    const answer = exchange.serve(post(hang), hang, AUTH);
    answer.catch(() => {});
    if (runningMs) await new Promise((resolve) => setTimeout(resolve, runningMs));
    await built.close();
    await expect(answer).rejects.toThrow(/closed before the request was answered/);
    expect(aborted).toBe(runningMs > 0);
  });
});
