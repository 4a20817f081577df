import { afterEach, describe, expect, it, vi } from "vitest";
import { setLogFormat, withRequestFields } from "./log.js";
import { encodeSpans, exportTrace } from "./otlp.js";
import { inSpan, parseTraceparent, parseTracestate, RequestTrace, randomId, tracedCall } from "./trace.js";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT = "00f067aa0ba902b7";

describe("parseTraceparent", () => {
  it("reads version 00, lowercase hex, and the sampled flag", () => {
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-01`)).toEqual({ traceId: TRACE, parentId: PARENT, sampled: true });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-00`)).toEqual({ traceId: TRACE, parentId: PARENT, sampled: false });
    expect(parseTraceparent(`00-${TRACE}-${PARENT}-03`)?.sampled).toBe(true);
  });

  it("accepts a later version with extra fields after a dash (W3C forward compatibility)", () => {
    expect(parseTraceparent(`01-${TRACE}-${PARENT}-01-future`)).toEqual({ traceId: TRACE, parentId: PARENT, sampled: true });
  });

  it.each([
    ["not a string", 42],
    ["empty", ""],
    ["version ff", `ff-${TRACE}-${PARENT}-01`],
    ["version 00 with a suffix", `00-${TRACE}-${PARENT}-01-x`],
    ["an all-zero trace id", `00-${"0".repeat(32)}-${PARENT}-01`],
    ["an all-zero parent id", `00-${TRACE}-${"0".repeat(16)}-01`],
    ["upper-case hex", `00-${TRACE.toUpperCase()}-${PARENT}-01`],
    ["a short trace id", `00-${TRACE.slice(2)}-${PARENT}-01`],
    ["leading whitespace", ` 00-${TRACE}-${PARENT}-01`],
    ["a non-hex flag", `00-${TRACE}-${PARENT}-0x`],
    ["too long", `01-${TRACE}-${PARENT}-01-${"a".repeat(300)}`],
  ])("ignores %s", (_, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe("parseTracestate", () => {
  it("keeps a valid list and drops a malformed or oversized one", () => {
    expect(parseTracestate("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE")).toBe("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE");
    expect(parseTracestate("tenant@vendor=x")).toBe("tenant@vendor=x");
    expect(parseTracestate("no-equals")).toBeUndefined();
    expect(parseTracestate("Upper=x")).toBeUndefined();
    expect(parseTracestate(`a=${"x".repeat(600)}`)).toBeUndefined();
    expect(parseTracestate(Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(","))).toBeUndefined();
  });
});

describe("RequestTrace", () => {
  it("continues a valid caller's trace, with a root span of its own", () => {
    const trace = new RequestTrace("POST /mcp", `00-${TRACE}-${PARENT}-01`, "congo=t61rcWkgMzE");
    expect(trace.traceId).toBe(TRACE);
    expect(trace.root.parentSpanId).toBe(PARENT);
    expect(trace.root.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(trace.root.spanId).not.toBe(PARENT);
    expect(trace.tracestate).toBe("congo=t61rcWkgMzE");
  });

  it("starts a new, sampled trace for a missing or malformed header, and drops its tracestate", () => {
    const a = new RequestTrace("GET /", null, "congo=x");
    const b = new RequestTrace("GET /", "garbage", "congo=x");
    expect(a.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(a.traceId).not.toBe(b.traceId);
    expect([a.sampled, a.tracestate, a.root.parentSpanId]).toEqual([true, undefined, undefined]);
    expect(b.tracestate).toBeUndefined();
  });

  it("adopts a valid _meta context and ignores an invalid one", () => {
    const trace = new RequestTrace("POST /mcp", `00-${TRACE}-${PARENT}-01`);
    expect(trace.adopt({ traceparent: "00-bad" })).toBe(false);
    expect(trace.traceId).toBe(TRACE);
    const other = "0af7651916cd43dd8448eb211c80319c";
    expect(trace.adopt({ traceparent: `00-${other}-b7ad6b7169203331-00` })).toBe(true);
    expect([trace.traceId, trace.root.parentSpanId, trace.sampled]).toEqual([other, "b7ad6b7169203331", false]);
  });

  it("randomId gives distinct hex ids of the asked length", () => {
    const ids = new Set(Array.from({ length: 50 }, () => randomId(8)));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe("spans inside a request", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    setLogFormat(undefined);
  });

  it("a child span names itself on log lines; an outgoing call carries the trace with a new span id, and records no header", async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(JSON.parse(line)));
    const trace = new RequestTrace("POST /mcp", `00-${TRACE}-${PARENT}-01`, "congo=t61rcWkgMzE");
    const sent: Record<string, string>[] = [];
    await withRequestFields(
      {},
      () =>
        inSpan("tools/call add", { "gen_ai.tool.name": "add" }, async () => {
          const { log } = await import("./log.js");
          log({ event: "tool" });
          const response = await tracedCall("GET /me", { method: "GET", url: "https://api.example/me?code=abc" }, async (headers) => {
            sent.push(headers);
            return new Response("{}", { status: 200 });
          });
          expect(response.status).toBe(200);
        }),
      trace,
    );
    const [tool, client] = trace.spans;
    expect(tool).toMatchObject({ name: "tools/call add", parentSpanId: trace.root.spanId, kind: "internal" });
    expect(client).toMatchObject({
      name: "GET /me",
      parentSpanId: tool?.spanId,
      kind: "client",
      attributes: { "http.request.method": "GET", "server.address": "api.example", "url.path": "/me", "http.response.status_code": 200 },
    });
    expect(sent).toEqual([{ traceparent: `00-${TRACE}-${client?.spanId}-01`, tracestate: "congo=t61rcWkgMzE" }]);
    expect(lines).toEqual([expect.objectContaining({ event: "tool", trace_id: TRACE, span_id: tool?.spanId })]);
    expect(JSON.stringify(trace.spans)).not.toContain("code=abc");
  });

  it("outside a request, spans and outgoing calls are no-ops", async () => {
    let headers: Record<string, string> | undefined;
    await tracedCall("GET /", { method: "GET", url: "https://x.example/" }, async (sent) => {
      headers = sent;
      return new Response(null, { status: 204 });
    });
    expect(headers).toEqual({});
    expect(await inSpan("x", {}, async (span) => span)).toBeUndefined();
  });

  it("prints a readable line with LOG_FORMAT=pretty", async () => {
    const printed: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => printed.push(line));
    setLogFormat("pretty");
    const { log } = await import("./log.js");
    const trace = new RequestTrace("POST /mcp", `00-${TRACE}-${PARENT}-01`);
    withRequestFields(
      {},
      () =>
        log({ app: "calc", method: "POST", route: "/mcp", status: 200, ms: 4, tool: "add", outcome: "ok", clientId: "c1", token: "t0k" }),
      trace,
    );
    expect(printed).toEqual([
      expect.stringMatching(/^\d\d:\d\d:\d\d POST \/mcp 200 4ms tool=add outcome=ok clientId=c1 token=\[redacted\] trace_id=4bf92f35$/),
    ]);
  });
});

describe("OTLP export", () => {
  afterEach(() => vi.restoreAllMocks());

  it("encodes spans as OTLP/JSON, with secret-looking attribute keys redacted", () => {
    const trace = new RequestTrace("POST /mcp", `00-${TRACE}-${PARENT}-01`);
    trace.root.attributes = { "http.request.method": "POST", "http.request.header.authorization": "Bearer x", ratio: 0.5, ok: true };
    trace.finish(200);
    const body = encodeSpans([{ trace, spans: [trace.root] }], "calc") as {
      resourceSpans: { resource: unknown; scopeSpans: { spans: Record<string, unknown>[] }[] }[];
    };
    const span = body.resourceSpans[0]?.scopeSpans[0]?.spans[0];
    expect(body.resourceSpans[0]?.resource).toEqual({
      attributes: [
        { key: "service.name", value: { stringValue: "calc" } },
        { key: "telemetry.sdk.language", value: { stringValue: "webjs" } },
      ],
    });
    expect(span).toMatchObject({
      traceId: TRACE,
      spanId: trace.root.spanId,
      parentSpanId: PARENT,
      name: "POST /mcp",
      kind: 2,
      startTimeUnixNano: expect.stringMatching(/^\d{19}$/),
      status: { code: 0 },
    });
    expect(span?.attributes).toEqual(
      expect.arrayContaining([
        { key: "http.request.header.authorization", value: { stringValue: "[redacted]" } },
        { key: "ratio", value: { doubleValue: 0.5 } },
        { key: "ok", value: { boolValue: true } },
        { key: "http.response.status_code", value: { intValue: "200" } },
      ]),
    );
  });

  it("an unreachable collector costs one log line in waitUntil, never an exception; no endpoint, no export", async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(JSON.parse(line)));
    const waited: Promise<unknown>[] = [];
    const ctx = { waitUntil: (promise: Promise<unknown>) => void waited.push(promise) };
    exportTrace(new RequestTrace("GET /"), 200, {}, "calc", ctx);
    expect(waited).toEqual([]);
    exportTrace(new RequestTrace("GET /"), 200, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" }, "calc", ctx);
    expect(waited.length).toBe(1);
    await Promise.all(waited);
    expect(lines).toEqual([expect.objectContaining({ event: "trace_export_failed", endpoint: "127.0.0.1:9" })]);
  });

  it("does not export a trace its caller did not sample", () => {
    const waited: Promise<unknown>[] = [];
    exportTrace(
      new RequestTrace("GET /", `00-${TRACE}-${PARENT}-00`),
      200,
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:9/v1/traces" },
      "calc",
      {
        waitUntil: (promise) => void waited.push(promise),
      },
    );
    expect(waited).toEqual([]);
  });
});
