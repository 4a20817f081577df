import { isLegacyRequest } from "@modelcontextprotocol/server";
import { describe, expect, it, vi } from "vitest";
import { claimsModern, classifyBody } from "./message.js";
import { answerWhileRunning, plainlyLegacy } from "./streamable.js";

// answerWhileRunning with short timings: how a call that may run long is answered, and stopped.

const TIMING = { streamAfterMs: 50, keepAliveMs: 20 };
const RESULT = { jsonrpc: "2.0", id: 7, result: { content: [{ type: "text", text: "done" }] } };

const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));
const json = (body: unknown) => Response.json(body);

function eventStream(...events: string[]): Response {
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      for (const event of events) {
        await after(30, undefined);
        controller.enqueue(new TextEncoder().encode(event));
      }
      controller.close();
    },
  });
  return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
}

/** The `data` of each SSE event, and how many comment frames came between them. */
function parse(text: string): { events: unknown[]; comments: number } {
  const blocks = text.split("\n\n").filter(Boolean);
  const events = blocks.filter((block) => !block.startsWith(":")).map((block) => JSON.parse(block.replace(/^[\s\S]*?data: /, "")));
  return { events, comments: blocks.filter((block) => block.startsWith(":")).length };
}

describe("answerWhileRunning", () => {
  it("returns a quick JSON answer unchanged", async () => {
    const answer = json(RESULT);
    const cancel = vi.fn();
    expect(await answerWhileRunning(Promise.resolve(answer), cancel, undefined, TIMING)).toBe(answer);
    expect(cancel).not.toHaveBeenCalled();
  });

  it("answers a slow call with an SSE stream: comment frames while it runs, then the result as one event", async () => {
    const response = await answerWhileRunning(after(150, json(RESULT)), vi.fn(), undefined, TIMING);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const { events, comments } = parse(await response.text());
    expect(events).toEqual([RESULT]);
    expect(comments).toBeGreaterThanOrEqual(3);
  });

  it("passes a streamed answer through, with comment frames only between its events", async () => {
    const progress = { jsonrpc: "2.0", method: "notifications/progress", params: { progressToken: 1, progress: 1 } };
    const split = `event: message\ndata: ${JSON.stringify(RESULT)}\n\n`;
    const streamed = eventStream(
      `event: message\ndata: ${JSON.stringify(progress)}\n\n`,
      split.slice(0, 20),
      split.slice(20), // an event in two pieces: no comment may land inside it
    );
    const response = await answerWhileRunning(Promise.resolve(streamed), vi.fn(), undefined, TIMING);
    expect(response).not.toBe(streamed);
    const text = await response.text();
    expect(text).toContain(split);
    expect(parse(text).events).toEqual([progress, RESULT]);
  });

  it("cancels the call when the client stops reading the stream", async () => {
    const cancel = vi.fn();
    const response = await answerWhileRunning(new Promise<Response>(() => {}), cancel, undefined, TIMING);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    expect(cancel).not.toHaveBeenCalled();
    await reader.cancel();
    expect(cancel).toHaveBeenCalledOnce();
  });

  it("cancels the call when the request's signal aborts, before any answer", async () => {
    const cancel = vi.fn();
    const disconnected = new AbortController();
    const answering = answerWhileRunning(after(100, json(RESULT)), cancel, disconnected.signal, TIMING);
    disconnected.abort();
    expect(cancel).toHaveBeenCalledOnce();
    await (await answering).body?.cancel();
  });
});

describe("claimsModern", () => {
  const PV = "io.modelcontextprotocol/protocolVersion";
  const modern = {
    [PV]: "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
    "io.modelcontextprotocol/clientInfo": { name: "c", version: "1" },
  };
  const initialize = { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "c", version: "1" } };
  // [what, body, headers, whether it carries the claim]
  const bodies: [string, unknown, Record<string, string>, boolean][] = [
    ["a 2026-07-28 call", { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: {}, _meta: modern } }, {}, true],
    ["a claim naming a 2025 version", { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: { [PV]: "2025-11-25" } } }, {}, true],
    ["a claim that is not a string", { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: { [PV]: 7 } } }, {}, true],
    [
      "a claim with a mismatched header",
      { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: modern } },
      { "MCP-Protocol-Version": "2025-11-25" },
      true,
    ],
    ["a notification with a claim", { jsonrpc: "2.0", method: "notifications/cancelled", params: { _meta: modern } }, {}, true],
    ["an invalid message with a claim", { jsonrpc: "2.0", id: 1.5, method: "x", params: { _meta: modern } }, {}, true],
    ["initialize with a claim", { jsonrpc: "2.0", id: 0, method: "initialize", params: { ...initialize, _meta: modern } }, {}, false],
    [
      "a 2025 call",
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: {} } },
      { "MCP-Protocol-Version": "2025-11-25" },
      false,
    ],
    [
      "a 2025 call with other _meta",
      { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", _meta: { progressToken: 1 } } },
      {},
      false,
    ],
    ["a batch with a claim", [{ jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: modern } }], {}, false],
    ["_meta that is an array", { jsonrpc: "2.0", id: 1, method: "tools/list", params: { _meta: [PV] } }, {}, false],
  ];

  it.each(bodies)("%s: a claim is never what isLegacyRequest routes legacy", async (_, body, headers, claims) => {
    expect(claimsModern(body)).toBe(claims);
    const request = new Request("http://localhost/mcp", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    if (claims) expect(await isLegacyRequest(request, body)).toBe(false);
  });
});

describe("plainlyLegacy", () => {
  const call = { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: 1, b: 2 } } };
  const modern = { "io.modelcontextprotocol/protocolVersion": "2026-07-28" };
  // [what, body, headers, decided here as legacy]; every case is also asked of the SDK's isLegacyRequest.
  const cases: [string, unknown, Record<string, string>, boolean][] = [
    ["a 2025 call after initialize", call, { "MCP-Protocol-Version": "2025-11-25" }, true],
    ["a 2025-03-26 call", call, { "MCP-Protocol-Version": "2025-03-26" }, true],
    ["a call without a version header", call, {}, true],
    ["a call whose header has spaces", call, { "MCP-Protocol-Version": " 2025-06-18 " }, true],
    ["a call with other _meta", { ...call, params: { ...call.params, _meta: { progressToken: 7 } } }, {}, true],
    ["a call with a modern header and no claim", call, { "MCP-Protocol-Version": "2026-07-28" }, false],
    ["a call naming a later revision", call, { "MCP-Protocol-Version": "2027-01-01" }, false],
    ["a 2026-07-28 call", { ...call, params: { ...call.params, _meta: modern } }, { "MCP-Protocol-Version": "2026-07-28" }, false],
    ["initialize", { jsonrpc: "2.0", id: 0, method: "initialize", params: {} }, {}, false],
    ["a notification", { jsonrpc: "2.0", method: "notifications/initialized" }, {}, false],
    ["a response", { jsonrpc: "2.0", id: 1, result: {} }, {}, false],
    ["not JSON-RPC", { hello: "world" }, {}, false],
  ];

  it.each(cases)("%s", async (_, body, headers, plain) => {
    const request = new Request("http://localhost/mcp", {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
    const classified = classifyBody(body, { name: "t", version: "1", tools: [] });
    expect(plainlyLegacy(request, classified?.messages[0])).toBe(plain);
    // Decided here only where the SDK decides the same: nothing is routed differently.
    if (plain) expect(await isLegacyRequest(request, body)).toBe(true);
  });
});
