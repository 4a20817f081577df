import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport, ProtocolError } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { anonymous } from "@repo/mcp-core";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ownerOf } from "./owner.js";
import type { McpSseSessionRpc } from "./sse.js";

// createMcpApp with publicAccess (test/fixture-worker.ts) driven in the Workers runtime by the real MCP clients;
// their transports get a `fetch` that calls the Worker directly, so no port is involved.

const ORIGIN = "http://localhost:8787";
const inProcess = (url: string | URL, init?: RequestInit) => exports.default.fetch(url, init);
const call = (path: string, init?: RequestInit) => exports.default.fetch(new URL(path, ORIGIN), init);

const SERVER_INFO = { name: "fixture-mcp", title: "Fixture MCP server", version: "1.2.3" };
const rpcError = (code: number, message: string) => ({ jsonrpc: "2.0", id: null, error: { code, message } });
const ADD_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  properties: { a: { type: "number", description: "First addend" }, b: { type: "number", description: "Second addend" } },
  required: ["a", "b"],
};

async function connectV1(): Promise<Client> {
  const client = new Client({ name: "vitest-sdk-v1", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL("/mcp", ORIGIN), { fetch: inProcess }));
  return client;
}

async function connectV2(): Promise<ModernClient> {
  const client = new ModernClient({ name: "vitest-sdk-v2", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
  await client.connect(new ModernHttpTransport(new URL("/mcp", ORIGIN), { fetch: inProcess }));
  return client;
}

/** What a rejected promise was rejected with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("Streamable HTTP /mcp, SDK v1 client (2025-11-25)", () => {
  it("initializes, lists the tools and calls them", async () => {
    const client = await connectV1();
    expect(client.getServerVersion()).toEqual(SERVER_INFO);
    expect(client.getInstructions()).toBe("A calculator for tests.");

    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["add", "calculate"]);
    expect(tools[0]?.inputSchema).toEqual(ADD_SCHEMA);
    expect(tools[0]?.annotations).toEqual({ readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false });

    expect(await client.callTool({ name: "add", arguments: { a: 2, b: 3 } })).toEqual({
      content: [{ type: "text", text: "2 + 3 = 5" }],
      structuredContent: { result: 5 },
    });
    expect(await client.callTool({ name: "calculate", arguments: { operation: "multiply", a: 6, b: 7 } })).toEqual({
      content: [{ type: "text", text: "6 × 7 = 42" }],
      structuredContent: { result: 42 },
    });
    await client.close();
  });

  it("returns tool errors as results and protocol errors as JSON-RPC errors", async () => {
    const client = await connectV1();
    expect(await client.callTool({ name: "add", arguments: { a: "two", b: 3 } })).toEqual({
      content: [
        {
          type: "text",
          text: "Input validation error: Invalid arguments for tool add: a: Invalid input: expected number, received string",
        },
      ],
      isError: true,
    });
    expect(await client.callTool({ name: "calculate", arguments: { operation: "divide", a: 1, b: 0 } })).toEqual({
      content: [{ type: "text", text: "Cannot divide 1 by zero." }],
      isError: true,
    });
    const unknown = await rejection(client.callTool({ name: "no_such_tool", arguments: {} }));
    expect(unknown).toBeInstanceOf(McpError);
    expect(unknown).toMatchObject({ code: -32602, message: "MCP error -32602: Tool no_such_tool not found" });
    await client.close();
  });

  it("answers a call that asked for progress (an SSE-framed response) with the same result", async () => {
    const client = await connectV1();
    const progress = vi.fn();
    const result = await client.callTool({ name: "add", arguments: { a: 0.1, b: 0.2 } }, undefined, { onprogress: progress });
    expect(result).toEqual({
      content: [{ type: "text", text: "0.1 + 0.2 = 0.30000000000000004" }],
      structuredContent: { result: 0.30000000000000004 },
    });
    expect(progress).not.toHaveBeenCalled();
    await client.close();
  });
});

describe("Streamable HTTP /mcp, SDK v2 client pinned to 2026-07-28", () => {
  it("lists the tools and calls them without a session", async () => {
    const client = await connectV2();
    const listed = await client.listTools();
    expect(listed.tools.map((tool) => tool.name)).toEqual(["add", "calculate"]);
    expect(listed.tools[0]?.inputSchema).toEqual(ADD_SCHEMA);

    const result = await client.callTool({ name: "calculate", arguments: { operation: "divide", a: 1, b: 4 } });
    expect(result).toEqual({
      _meta: { "io.modelcontextprotocol/serverInfo": SERVER_INFO },
      content: [{ type: "text", text: "1 ÷ 4 = 0.25" }],
      structuredContent: { result: 0.25 },
    });
    expect(await client.callTool({ name: "add", arguments: { a: -2, b: 2 } })).toMatchObject({ structuredContent: { result: 0 } });
    await client.close();
  });

  it("returns bad arguments as a tool error and an unknown tool as -32602", async () => {
    const client = await connectV2();
    expect(await client.callTool({ name: "calculate", arguments: { operation: "power", a: 2, b: 3 } })).toEqual({
      _meta: { "io.modelcontextprotocol/serverInfo": SERVER_INFO },
      content: [
        {
          type: "text",
          text: 'Input validation error: Invalid arguments for tool calculate: operation: Invalid option: expected one of "add"|"subtract"|"multiply"|"divide"',
        },
      ],
      isError: true,
    });
    const unknown = await rejection(client.callTool({ name: "no_such_tool", arguments: {} }));
    expect(unknown).toBeInstanceOf(ProtocolError);
    expect(unknown).toMatchObject({ code: -32602, message: "Tool no_such_tool not found" });
    await client.close();
  });
});

const JSON_HEADERS = {
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
  "MCP-Protocol-Version": "2025-11-25",
};
const toolsList = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" });

describe("the HTTP boundary of /mcp", () => {
  afterEach(() => vi.restoreAllMocks());

  it("refuses GET and DELETE (405) and any session id (404)", async () => {
    for (const method of ["GET", "DELETE"]) {
      const response = await call("/mcp", { method, headers: { Accept: "text/event-stream" } });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("POST, OPTIONS");
      expect(await response.json()).toEqual(rpcError(-32000, "Method Not Allowed: this endpoint is stateless; send JSON-RPC with POST."));
    }
    const session = await call("/mcp", { method: "POST", headers: { ...JSON_HEADERS, "Mcp-Session-Id": "abc" }, body: toolsList });
    expect(session.status).toBe(404);
    expect(await session.json()).toEqual(
      rpcError(-32001, "Session not found: this server is stateless; initialize again without Mcp-Session-Id."),
    );
  });

  it("bounds and checks the body: 415, 413 (declared and streamed), -32700", async () => {
    const wrongType = await call("/mcp", { method: "POST", headers: { ...JSON_HEADERS, "Content-Type": "text/plain" }, body: toolsList });
    expect(wrongType.status).toBe(415);

    const big = `{"pad":"${"x".repeat(1024 * 1024)}"}`;
    const declared = await call("/mcp", { method: "POST", headers: JSON_HEADERS, body: big });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual(rpcError(-32600, "Payload Too Large: the body exceeds 1048576 bytes"));

    let sent = 0;
    const endless = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          sent += 65536;
          controller.enqueue(new Uint8Array(65536).fill(32));
        },
      },
      { highWaterMark: 0 },
    );
    const streamed = await call("/mcp", { method: "POST", headers: JSON_HEADERS, body: endless });
    expect(streamed.status).toBe(413);
    expect(sent).toBeLessThan(4 * 1024 * 1024);

    const malformed = await call("/mcp", { method: "POST", headers: JSON_HEADERS, body: '{"jsonrpc":"2.0",' });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual(rpcError(-32700, "Parse error: the request body is not valid JSON"));
  });

  it("answers a stateless 2025-era request with plain JSON, and an unknown method with -32601", async () => {
    const response = await call("/mcp", { method: "POST", headers: JSON_HEADERS, body: toolsList });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await response.json()) as { id: number; result: { tools: { name: string }[] } };
    expect(body.id).toBe(1);
    expect(body.result.tools.map((tool) => tool.name)).toEqual(["add", "calculate"]);

    const unknown = await call("/mcp", {
      method: "POST",
      headers: JSON_HEADERS,
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "no/such" }),
    });
    expect(await unknown.json()).toMatchObject({ jsonrpc: "2.0", id: 2, error: { code: -32601 } });
  });

  it("checks Origin: foreign and null are 403, configured and loopback origins get CORS", async () => {
    for (const origin of ["https://evil.example", "null"]) {
      const response = await call("/mcp", { method: "POST", headers: { ...JSON_HEADERS, Origin: origin }, body: toolsList });
      expect(response.status, origin).toBe(403);
      expect(response.headers.get("access-control-allow-origin")).toBeNull();
      expect(await response.json()).toEqual(rpcError(-32000, "Forbidden: this Origin may not call the MCP endpoint"));
    }
    const foreignSse = await call("/sse", { headers: { Accept: "text/event-stream", Origin: "https://evil.example" } });
    expect(foreignSse.status).toBe(403);

    for (const origin of ["https://inspector.example", "http://127.0.0.1:6274"]) {
      const response = await call("/mcp", { method: "POST", headers: { ...JSON_HEADERS, Origin: origin }, body: toolsList });
      expect(response.status, origin).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe(origin);
      expect(response.headers.get("vary")).toContain("Origin");
    }

    const preflight = await call("/mcp", {
      method: "OPTIONS",
      headers: { Origin: "https://inspector.example", "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("https://inspector.example");
    const foreignPreflight = await call("/mcp", { method: "OPTIONS", headers: { Origin: "https://evil.example" } });
    expect(foreignPreflight.status).toBe(403);
  });

  it("refuses hosts it does not serve with 421, including a rebound name sending its own Origin", async () => {
    for (const headers of [JSON_HEADERS, { ...JSON_HEADERS, Origin: "http://rebound.example:8787" }]) {
      const response = await exports.default.fetch("http://rebound.example:8787/mcp", { method: "POST", headers, body: toolsList });
      expect(response.status).toBe(421);
    }
    expect((await exports.default.fetch("https://mcp.example.com/")).status).toBe(421);
  });

  it("serves the landing page at / and 404 elsewhere", async () => {
    const landing = await call("/");
    expect(landing.status).toBe(200);
    expect(landing.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await landing.text();
    expect(html).toContain("<h1>Fixture MCP server</h1>");
    expect(html).toContain("<li><code>add</code>: Adds two numbers and returns their sum.</li>");
    expect(html).toContain(`<pre id="url-mcp">${ORIGIN}/mcp</pre>`);
    expect(html).toContain(`<pre id="url-sse">${ORIGIN}/sse</pre>`);
    expect((await call("/nope")).status).toBe(404);
  });

  it("turns an unexpected exception into a bare 500 and logs it", async () => {
    // The SSE session object fails while opening; workerd also reports that exception on stderr.
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => {
      if (line.includes('"event":"sse_open"')) throw new TypeError("boom at /internal/path");
      lines.push(JSON.parse(line));
    });
    const response = await call("/sse", { headers: { Accept: "text/event-stream" } });
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toBe("text/plain");
    expect(await response.text()).toBe("Internal Server Error\n");
    const trace = { trace_id: expect.stringMatching(/^[0-9a-f]{32}$/), span_id: expect.stringMatching(/^[0-9a-f]{16}$/) };
    expect(lines).toEqual([
      {
        ts: expect.any(String),
        app: "fixture-mcp",
        event: "unhandled",
        route: "/sse",
        error: expect.stringContaining("boom at /internal/path"),
        ...trace,
      },
      { ts: expect.any(String), app: "fixture-mcp", method: "GET", route: "/sse", status: 500, ms: expect.any(Number), ...trace },
    ]);
    expect(lines[0]?.trace_id).toBe(lines[1]?.trace_id);
  });

  it("logs one line per request, without the request's secrets", async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(JSON.parse(line)));
    const response = await call("/mcp?token=abc", {
      method: "POST",
      headers: { ...JSON_HEADERS, Authorization: "Bearer sekrit" },
      body: toolsList,
    });
    expect(response.status).toBe(200);
    const requestLines = lines.filter((line) => "status" in line);
    expect(requestLines).toEqual([
      {
        ts: expect.any(String),
        app: "fixture-mcp",
        method: "POST",
        route: "/mcp",
        status: 200,
        ms: expect.any(Number),
        trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        span_id: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
    ]);
    expect(JSON.stringify(lines)).not.toContain("sekrit");
  });
});

describe("trace context on the request's log lines", () => {
  afterEach(() => vi.restoreAllMocks());
  const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  const HEADER = `00-${TRACE}-00f067aa0ba902b7-01`;
  const META_TRACE = "0af7651916cd43dd8448eb211c80319c";
  const addCall = (meta?: Record<string, unknown>) =>
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "add", arguments: { a: 1, b: 2 }, ...(meta && { _meta: meta }) },
    });

  async function linesOf(init: RequestInit): Promise<Record<string, unknown>[]> {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(JSON.parse(line)));
    const response = await call("/mcp", { method: "POST", ...init });
    expect(response.status).toBe(200);
    await response.text();
    return lines;
  }

  it("a valid traceparent header names the trace of every line the request causes: the tool's and the request's", async () => {
    const lines = await linesOf({ headers: { ...JSON_HEADERS, traceparent: HEADER }, body: addCall() });
    expect(lines.map((line) => line.event ?? "request")).toEqual(["tool", "request"]);
    expect(lines.every((line) => line.trace_id === TRACE)).toBe(true);
    const [tool, request] = lines;
    // The tool's line names its own span, a child of the request's; neither is the caller's.
    expect(tool?.span_id).not.toBe(request?.span_id);
    expect([tool?.span_id, request?.span_id]).not.toContain("00f067aa0ba902b7");
    expect(request).toMatchObject({ tool: "add", outcome: "ok", latency_ms: expect.any(Number) });
  });

  it("a message's _meta traceparent (SEP-414) wins over the header", async () => {
    const meta = { traceparent: `00-${META_TRACE}-b7ad6b7169203331-01`, tracestate: "congo=t61rcWkgMzE" };
    const lines = await linesOf({ headers: { ...JSON_HEADERS, traceparent: HEADER }, body: addCall(meta) });
    expect(lines.length).toBe(2);
    expect(lines.every((line) => line.trace_id === META_TRACE)).toBe(true);
  });

  it.each([
    ["a wrong version", `ff-${TRACE}-00f067aa0ba902b7-01`],
    ["an all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["an all-zero parent id", `00-${TRACE}-0000000000000000-01`],
    ["upper-case hex", `00-${TRACE.toUpperCase()}-00f067aa0ba902b7-01`],
    ["a script", `00-${TRACE}-00f067aa0ba902b7-01<script>`],
  ])("a malformed traceparent (%s) is ignored, never echoed: a new trace starts", async (_, value) => {
    const lines = await linesOf({ headers: { ...JSON_HEADERS, traceparent: value }, body: addCall({ traceparent: value }) });
    expect(lines.length).toBe(2);
    const ids = new Set(lines.map((line) => line.trace_id));
    expect(ids.size).toBe(1);
    expect([...ids][0]).toMatch(/^[0-9a-f]{32}$/);
    expect([...ids][0]).not.toBe(TRACE);
    expect(JSON.stringify(lines)).not.toContain("script");
  });

  it("logs the tool-level outcome: protocol_error for a call no tool answered", async () => {
    const unknown = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "nope", arguments: {} } });
    const lines = await linesOf({ headers: JSON_HEADERS, body: unknown });
    expect(lines.at(-1)).toMatchObject({ route: "/mcp", tool: "nope", outcome: "protocol_error" });
  });

  it("logs arguments the schema refused as a tool_error (an isError result the model can act on)", async () => {
    const refused = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: { a: "one" } } });
    const lines = await linesOf({ headers: JSON_HEADERS, body: refused });
    expect(lines.at(-1)).toMatchObject({ route: "/mcp", tool: "add", outcome: "tool_error" });
  });
});

interface SseEvent {
  event: string;
  data: string;
}

/** Reads server-sent events from a response body, skipping comments (keep-alives). */
class EventReader {
  private buffer = "";
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;

  constructor(body: ReadableStream<Uint8Array> | null) {
    if (!body) throw new Error("no body");
    this.reader = body.getReader();
  }

  async next(): Promise<SseEvent> {
    for (;;) {
      const end = this.buffer.indexOf("\n\n");
      if (end >= 0) {
        const lines = this.buffer
          .slice(0, end)
          .split("\n")
          .filter((line) => !line.startsWith(":"));
        this.buffer = this.buffer.slice(end + 2);
        if (lines.length === 0) continue;
        const field = (name: string) =>
          lines
            .filter((line) => line.startsWith(`${name}: `))
            .map((line) => line.slice(name.length + 2))
            .join("\n");
        return { event: field("event") || "message", data: field("data") };
      }
      const { done, value } = await this.reader.read();
      if (done) throw new Error("the event stream ended");
      this.buffer += this.decoder.decode(value, { stream: true });
    }
  }

  close(): Promise<void> {
    return this.reader.cancel();
  }
}

async function openSse(): Promise<{ events: EventReader; endpoint: string }> {
  const response = await call("/sse", { headers: { Accept: "text/event-stream" } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("text/event-stream");
  expect(response.headers.get("cache-control")).toBe("no-cache, no-transform");
  const events = new EventReader(response.body);
  const first = await events.next();
  expect(first.event).toBe("endpoint");
  expect(first.data).toMatch(/^\/sse\/message\?sessionId=[0-9a-f]{64}$/);
  return { events, endpoint: first.data };
}

const postMessage = (endpoint: string, body: unknown) =>
  call(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

describe("legacy HTTP+SSE (2024-11-05)", () => {
  it("announces the message endpoint first and answers posted messages on the stream", async () => {
    const { events, endpoint } = await openSse();
    const initialize = {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2024-11-05", capabilities: {}, clientInfo: { name: "raw-http", version: "1.0.0" } },
    };
    const accepted = await postMessage(endpoint, initialize);
    expect(accepted.status).toBe(202);
    expect(await accepted.text()).toBe("Accepted");

    const answer = await events.next();
    expect(answer.event).toBe("message");
    expect(JSON.parse(answer.data)).toMatchObject({
      jsonrpc: "2.0",
      id: 1,
      result: { protocolVersion: "2024-11-05", serverInfo: SERVER_INFO, capabilities: { tools: { listChanged: false } } },
    });

    expect((await postMessage(endpoint, { jsonrpc: "2.0", method: "notifications/initialized" })).status).toBe(202);
    expect(
      (await postMessage(endpoint, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "add", arguments: { a: 40, b: 2 } } }))
        .status,
    ).toBe(202);
    expect(JSON.parse((await events.next()).data)).toEqual({
      jsonrpc: "2.0",
      id: 2,
      result: { content: [{ type: "text", text: "40 + 2 = 42" }], structuredContent: { result: 42 } },
    });

    const malformed = await postMessage(endpoint, "{nope");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual(rpcError(-32700, "Parse error: the request body is not valid JSON"));
    // Requests the SDK would drop without an answer are refused here, so the client is not left waiting.
    for (const body of [
      { hello: "world" },
      { jsonrpc: "2.0", id: null, method: "ping" },
      { jsonrpc: "2.0", id: { n: 1 }, method: "ping" },
      [],
    ]) {
      const notRpc = await postMessage(endpoint, body);
      expect(notRpc.status, JSON.stringify(body)).toBe(400);
      expect(await notRpc.json()).toEqual(rpcError(-32600, "Invalid Request: expected a JSON-RPC request or notification"));
    }
    expect((await postMessage(endpoint, { jsonrpc: "2.0", id: "p", method: "ping" })).status).toBe(202);
    expect(JSON.parse((await events.next()).data)).toEqual({ jsonrpc: "2.0", id: "p", result: {} });
    await events.close();
  });

  it("answers 404 for a session id that is unknown, malformed or missing", async () => {
    const unknownId = env.MCP_SSE_SESSION.newUniqueId().toString();
    for (const path of [`/sse/message?sessionId=${unknownId}`, "/sse/message?sessionId=not-a-session", "/sse/message"]) {
      const response = await postMessage(path, { jsonrpc: "2.0", id: 1, method: "ping" });
      expect(response.status, path).toBe(404);
      expect(await response.json()).toEqual(rpcError(-32001, "Session not found: open a new stream with GET /sse"));
    }
  });

  it("checks the caller and the messages again at the Durable Object's RPC boundary", async () => {
    const stub = env.MCP_SSE_SESSION.get(env.MCP_SSE_SESSION.newUniqueId());
    const ping = { jsonrpc: "2.0", id: 1, method: "ping" };
    const outcome = await runInDurableObject(stub, async (object) => {
      const instance = object as unknown as McpSseSessionRpc;
      const refused = async (call: Promise<unknown>) =>
        call.then(
          () => "accepted",
          (error: unknown) => String(error),
        );
      return {
        // A caller that is not a Caller, sent by anything that can reach the binding.
        badCaller: await refused(instance.open({ scopes: "all" })),
        badOwner: await refused(instance.deliver({ clientId: "c" }, [ping])),
        badMessage: await refused(instance.deliver(ownerOf(anonymous), [{ jsonrpc: "2.0", id: null, method: "ping" }])),
        // A well-formed owner without a session here is told so, like any unknown session.
        noSession: await instance.deliver(ownerOf(anonymous), [ping]),
      };
    });
    expect(outcome.badCaller).toMatch(/ZodError|invalid/i);
    expect(outcome.badOwner).toMatch(/ZodError|invalid/i);
    expect(outcome.badMessage).toMatch(/JSON-RPC messages/);
    expect(outcome.noSession).toBe("not_found");
  });

  it("allows only GET on /sse and POST on the message endpoint", async () => {
    const postSse = await call("/sse", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(postSse.status).toBe(405);
    expect(postSse.headers.get("allow")).toBe("GET, OPTIONS");
    const getMessage = await call("/sse/message?sessionId=x");
    expect(getMessage.status).toBe(405);
    expect(getMessage.headers.get("allow")).toBe("POST, OPTIONS");
    expect((await call("/sse", { headers: { Accept: "application/json" } })).status).toBe(406);
    expect((await call("/sse/other", { method: "POST" })).status).toBe(404);
  });

  it("works with the SDK v1 SSE client", async () => {
    const client = new Client({ name: "vitest-sse", version: "1.0.0" });
    await client.connect(new SSEClientTransport(new URL("/sse", ORIGIN), { fetch: inProcess }));
    expect(client.getServerVersion()).toEqual(SERVER_INFO);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["add", "calculate"]);
    expect(await client.callTool({ name: "calculate", arguments: { operation: "subtract", a: 1, b: 3 } })).toEqual({
      content: [{ type: "text", text: "1 - 3 = -2" }],
      structuredContent: { result: -2 },
    });
    expect(await client.callTool({ name: "add", arguments: { a: 1 } })).toMatchObject({ isError: true });
    await client.close();
  });

  it("runs a message's tool in the POST's trace, though the session's Durable Object runs it", async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(JSON.parse(line)));
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const client = new Client({ name: "vitest-sse", version: "1.0.0" });
    await client.connect(
      new SSEClientTransport(new URL("/sse", ORIGIN), {
        fetch: inProcess,
        requestInit: { headers: { traceparent: `00-${trace}-00f067aa0ba902b7-01` } },
      }),
    );
    await client.callTool({ name: "add", arguments: { a: 1, b: 2 } });
    await client.close();
    vi.restoreAllMocks();
    const tool = lines.find((line) => line.event === "tool" && line.tool === "add");
    expect(tool).toMatchObject({ outcome: "ok", trace_id: trace });
    const posts = lines.filter((line) => line.route === "/sse/message" && line.trace_id === trace);
    expect(posts.length).toBeGreaterThan(0);
    expect(posts.map((line) => line.span_id)).not.toContain(tool?.span_id);
  });
});
