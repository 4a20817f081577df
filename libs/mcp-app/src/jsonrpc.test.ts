import { describe, expect, it } from "vitest";
import { discard, isJsonRpcMessage, readJsonBody } from "./jsonrpc.js";

const LIMIT = 1024;

const post = (body: BodyInit | null, headers: Record<string, string> = { "Content-Type": "application/json" }) =>
  new Request("http://localhost/mcp", { method: "POST", body, headers });

/** A body stream that counts what was read and whether it was cancelled; `chunks` undefined means endless. */
function source(chunk: Uint8Array, chunks?: number) {
  const seen = { pulls: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (chunks !== undefined && seen.pulls >= chunks) return controller.close();
        seen.pulls++;
        controller.enqueue(chunk.slice());
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    // Nothing is read before the code under test asks.
    { highWaterMark: 0 },
  );
  return { stream, seen };
}

async function refused(request: Request) {
  const result = await readJsonBody(request, LIMIT);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.body)}`);
  return { status: result.response.status, headers: result.response.headers, body: await result.response.json() };
}

const rpcError = (code: number, message: string) => ({ jsonrpc: "2.0", id: null, error: { code, message } });

describe("readJsonBody", () => {
  it("parses a JSON body, with or without a charset", async () => {
    expect(await readJsonBody(post('{"jsonrpc":"2.0","id":1,"method":"ping"}'), LIMIT)).toEqual({
      ok: true,
      body: { jsonrpc: "2.0", id: 1, method: "ping" },
    });
    const withCharset = await readJsonBody(post("[1,2]", { "Content-Type": "Application/JSON; charset=utf-8" }), LIMIT);
    expect(withCharset).toEqual({ ok: true, body: [1, 2] });
  });

  it("joins a body that arrives in chunks, even with a character split across them", async () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ text: "héllo wörld ✓" }));
    let offset = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) return controller.close();
        controller.enqueue(bytes.slice(offset, offset + 3));
        offset += 3;
      },
    });
    expect(await readJsonBody(post(stream), LIMIT)).toEqual({ ok: true, body: { text: "héllo wörld ✓" } });
  });

  it("refuses a content type that is not JSON with 415, having drained the body", async () => {
    const message = "Unsupported Media Type: Content-Type must be application/json";
    for (const headers of [{ "Content-Type": "text/plain" }, { "Content-Type": "application/jsonp" }, {} as Record<string, string>]) {
      const request = post("{}", headers);
      expect(await refused(request)).toMatchObject({ status: 415, body: rpcError(-32600, message) });
      expect(request.bodyUsed).toBe(true);
    }
  });

  it("refuses a declared Content-Length over the limit with 413 without reading the body", async () => {
    const { stream, seen } = source(new Uint8Array(16), 1);
    const result = await refused(post(stream, { "Content-Type": "application/json", "Content-Length": String(LIMIT + 1) }));
    expect(result).toMatchObject({ status: 413, body: rpcError(-32600, `Payload Too Large: the body exceeds ${LIMIT} bytes`) });
    expect(result.headers.get("connection")).toBe("close");
    expect(seen.pulls).toBe(0);
  });

  it("stops reading a chunked body as soon as it passes the limit: 413, and the stream is cancelled", async () => {
    const { stream, seen } = source(new TextEncoder().encode(" ".repeat(100)));
    const result = await refused(post(stream));
    expect(result).toMatchObject({ status: 413, body: rpcError(-32600, `Payload Too Large: the body exceeds ${LIMIT} bytes`) });
    expect(seen.pulls).toBe(11);
    expect(seen.cancelled).toBe(true);
  });

  it("reads a body with a declared length whole, and still refuses one longer than the limit", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" });
    const declared = { "Content-Type": "application/json", "Content-Length": String(new TextEncoder().encode(body).byteLength) };
    expect(await readJsonBody(post(body, declared), LIMIT)).toEqual({ ok: true, body: { jsonrpc: "2.0", id: 1, method: "ping" } });
    // A Request built in-process can carry more than it declares; the limit holds anyway.
    const long = `"${"x".repeat(LIMIT)}"`;
    const lying = await refused(post(long, { "Content-Type": "application/json", "Content-Length": "10" }));
    expect(lying).toMatchObject({ status: 413, body: rpcError(-32600, `Payload Too Large: the body exceeds ${LIMIT} bytes`) });
  });

  it("accepts a body of exactly the limit", async () => {
    const body = `"${"x".repeat(LIMIT - 2)}"`;
    const result = await readJsonBody(post(body), LIMIT);
    expect(result.ok && typeof result.body === "string" && result.body.length).toBe(LIMIT - 2);
  });

  it("answers unparseable or empty JSON with 400 and -32700", async () => {
    for (const body of ['{"jsonrpc":', "", null]) {
      expect(await refused(post(body))).toMatchObject({
        status: 400,
        body: rpcError(-32700, "Parse error: the request body is not valid JSON"),
      });
    }
  });
});

describe("discard", () => {
  it("reads a body to its end", async () => {
    const { stream, seen } = source(new Uint8Array(100), 5);
    await discard(post(stream), LIMIT);
    expect(seen).toEqual({ pulls: 5, cancelled: false });
  });

  it("cancels an endless body once it passes the limit", async () => {
    const { stream, seen } = source(new Uint8Array(100));
    await discard(post(stream), LIMIT);
    expect(seen).toEqual({ pulls: 11, cancelled: true });
  });

  it("accepts a request without a body", async () => {
    await expect(discard(new Request("http://localhost/"), LIMIT)).resolves.toBeUndefined();
  });
});

describe("isJsonRpcMessage", () => {
  it.each([
    [{ jsonrpc: "2.0", id: 1, method: "tools/list" }],
    [{ jsonrpc: "2.0", id: "a", method: "tools/call", params: {} }],
    [{ jsonrpc: "2.0", method: "notifications/initialized" }],
    [{ jsonrpc: "2.0", id: 7, result: {} }],
    [{ jsonrpc: "2.0", id: "x", error: { code: -1, message: "no" } }],
  ])("accepts %j", (message) => {
    expect(isJsonRpcMessage(message)).toBe(true);
  });

  it.each([
    [null],
    ["text"],
    [[{ jsonrpc: "2.0", id: 1, method: "ping" }]],
    [{ id: 1, method: "ping" }],
    [{ jsonrpc: "1.0", id: 1, method: "ping" }],
    [{ jsonrpc: "2.0", id: 1, method: 5 }],
    [{ jsonrpc: "2.0", id: 1 }],
    [{ jsonrpc: "2.0", result: {} }],
    [{ jsonrpc: "2.0", id: null, result: {} }],
    [{ jsonrpc: "2.0", id: { nested: 1 }, method: "ping" }],
    [{ jsonrpc: "2.0", id: null, method: "ping" }],
  ])("refuses %j", (message) => {
    expect(isJsonRpcMessage(message)).toBe(false);
  });
});
