import { request as httpRequest } from "node:http";
import { expect, it } from "vitest";
import { connectSdkClient } from "../clients.js";
import { type HeaderMap, initializeRequest } from "../http.js";
import type { AttackContext } from "./context.js";
import { MAX_BODY_BYTES, PROBE, PROBE_RESULT, TOO_LARGE_DEADLINE_MS, versionHeader } from "./shared.js";

/** What the chunked-body case sends: just past the server's limit, and then nothing more. */
const CHUNKED_BYTES = MAX_BODY_BYTES + 64 * 1024;

/**
 * POSTs a chunked body (no Content-Length) of CHUNKED_BYTES and keeps the request open, never
 * sending the final chunk: only a server that stops reading at its limit can answer. node:http
 * rather than fetch, so the answer is read while the request is still unfinished.
 */
function postUnfinishedChunked(url: string, headers: HeaderMap): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: { ...headers, "Transfer-Encoding": "chunked" }, timeout: 10_000 });
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      const parts: Buffer[] = [];
      response.on("data", (part: Buffer) => parts.push(part));
      response.on("end", () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") });
      });
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 10 s to an unfinished body")));
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    request.write(Buffer.alloc(CHUNKED_BYTES, "x"));
  });
}

/** Bodies too large, too many or too deep: refused quickly, before anything is parsed or executed. */
export function bodyLimitCases(ctx: AttackContext): void {
  const { mcpPost } = ctx;

  it(`a declared 8 MiB body: 413 in under ${TOO_LARGE_DEADLINE_MS} ms, never parsed`, async () => {
    // workerd drains an unread body before it answers, so the whole body is sent; it is never buffered or parsed.
    const huge = JSON.stringify({
      ...initializeRequest,
      params: { ...initializeRequest.params, padding: "x".repeat(8 * MAX_BODY_BYTES) },
    });
    const started = performance.now();
    const { response, body } = await mcpPost(huge, ctx.credentials);
    const elapsed = performance.now() - started;
    expect(response.status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: { code: -32600, message: "Payload Too Large: the body exceeds 1048576 bytes" } });
    expect(elapsed).toBeLessThan(TOO_LARGE_DEADLINE_MS);
  });

  it(`an undeclared (chunked) body just past 1 MiB that never ends: 413 in under ${TOO_LARGE_DEADLINE_MS} ms`, async () => {
    const started = performance.now();
    const { status, body } = await postUnfinishedChunked(`${ctx.origin}/mcp`, { ...ctx.credentials, "Content-Type": "application/json" });
    const elapsed = performance.now() - started;
    ctx.bodies.push({ what: "huge chunked body", body });
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: { code: -32600, message: "Payload Too Large: the body exceeds 1048576 bytes" } });
    expect(elapsed).toBeLessThan(TOO_LARGE_DEADLINE_MS);
  });

  it("a batch of 10,000 requests: 400 -32600 at once, nothing executed", async () => {
    const batch = Array.from({ length: 10_000 }, (_, id) => ({ jsonrpc: "2.0", id, method: "tools/call", params: PROBE }));
    const started = performance.now();
    const { response, body } = await mcpPost(batch, { ...ctx.credentials, ...versionHeader });
    expect(response.status).toBe(400);
    expect(JSON.parse(body)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32600, message: "Invalid Request: Batch must not exceed 100 messages" },
    });
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    ["an empty batch", "[]", "Bad Request: empty JSON-RPC batch"],
    ["nested arrays", "[[[[[[[[]]]]]]]]", "Bad Request: JSON-RPC batch contains an invalid message"],
    [
      "a request inside a nested array",
      JSON.stringify([[{ jsonrpc: "2.0", id: 1, method: "ping" }]]),
      "Bad Request: JSON-RPC batch contains an invalid message",
    ],
  ])("%s: 400 -32600", async (_, batch, message) => {
    const { response, body } = await mcpPost(batch, { ...ctx.credentials, ...versionHeader });
    expect(response.status).toBe(400);
    expect(JSON.parse(body)).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message } });
  });

  it("a batch of 101 messages to an SSE session: 400 -32600, nothing reaches the session", async () => {
    const client = await connectSdkClient(`${ctx.origin}/sse`, "sse", undefined, ctx.credentials);
    try {
      const endpoint = (client.transport as unknown as { _endpoint: URL })._endpoint;
      const path = `${endpoint.pathname}${endpoint.search}`;
      const batch = (length: number) =>
        Array.from({ length }, (_, n) => ({ jsonrpc: "2.0", id: 1000 + n, method: "tools/call", params: PROBE }));
      const { response, body } = await mcpPost(batch(101), ctx.credentials, path);
      expect(response.status).toBe(400);
      expect(JSON.parse(body)).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32600, message: "Invalid Request: Batch must not exceed 100 messages" },
      });
      // More requests in one POST than a session may run at once: 429, none of them run.
      const busy = await mcpPost(batch(33), ctx.credentials, path);
      expect(busy.response.status).toBe(429);
      expect(JSON.parse(busy.body).error).toEqual({
        code: -32000,
        message: "Too Many Requests: an SSE session runs at most 32 calls at once; wait for their results before sending more.",
      });
      // The session is still usable.
      expect(await client.callTool(PROBE)).toEqual(PROBE_RESULT);
    } finally {
      await client.close();
    }
  });

  it("deeply nested JSON (100,000 levels): a bounded 4xx answer, the isolate survives", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const { response } = await mcpPost(deep, { ...ctx.credentials, ...versionHeader });
    expect([400, 413]).toContain(response.status);
  });
}
