import {
  type AuthInfo,
  createMcpHandler,
  isLegacyRequest,
  legacyStatelessFallback,
  type McpRequestContext,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { jsonRpcError, readJsonBody } from "./jsonrpc.js";
import { annotate, log } from "./log.js";
import { urlOf } from "./origin.js";
import { buildServer, type Caller, describeError, type Reach, reachOf, type ServerDefinition } from "./server.js";

export const MAX_BODY_BYTES = 1024 * 1024;

const encoder = new TextEncoder();
/** What the SDK's streaming transport answers a streamed request with. */
const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

/** A call still running after this long is answered with an SSE stream (see answerWhileRunning). */
export const STREAM_AFTER_MS = 1000;
/** How often a running call's stream carries a comment frame, so a client that left is noticed. */
export const KEEP_ALIVE_MS = 1000;
const KEEP_ALIVE_FRAME = encoder.encode(": keepalive\n\n");

/** What the transport hands the server factory: the caller and the Worker's env, never the raw token. */
interface RequestScope {
  caller: Caller;
  env: unknown;
  /** What the request's message can reach (see reachOf). */
  reach?: Reach;
}

const SCOPE_KEY = "io.github.remote-mcp-workers/scope";

/** Where every app in this repo publishes its RFC 9728 metadata (OAuth provider and bearer alike). */
const PROTECTED_RESOURCE_METADATA = "/.well-known/oauth-protected-resource";

function authInfoFor(scope: RequestScope, request: Request): AuthInfo {
  return {
    // The credential itself stays in the auth layer; the SDK only needs something non-empty.
    token: "[validated]",
    clientId: scope.caller.clientId ?? "anonymous",
    scopes: [...scope.caller.scopes],
    // Named by the SDK's 403 insufficient_scope challenge, so the client can find where to re-authorize.
    resourceMetadataUrl: `${urlOf(request).origin}${PROTECTED_RESOURCE_METADATA}`,
    extra: { [SCOPE_KEY]: scope },
  };
}

function scopeOf(ctx: McpRequestContext): RequestScope {
  const scope = ctx.authInfo?.extra?.[SCOPE_KEY] as RequestScope | undefined;
  if (!scope) throw new Error("MCP request reached the server factory without a caller");
  return scope;
}

/**
 * Streamable HTTP at /mcp for both protocol eras, statelessly:
 * - 2026-07-28 requests go to the SDK's modern handler;
 * - 2025-era requests are answered with plain JSON by a per-request server; calls whose handler
 *   may notify before answering (tools, prompts, resource reads, anything with a progress token)
 *   run on the SDK's streaming transport and stay a stream only if a notification (progress, a
 *   log message) actually comes before the result.
 * Either era's call that may notify is cancelled when its client leaves (answerWhileRunning): a
 * stateless server has no session a notifications/cancelled could reach, and on 2026-07-28 closing
 * the response stream is the cancellation.
 * The body is read and parsed once, and bounded.
 */
export function createStreamableHttpHandler(definition: ServerDefinition) {
  const factory = (ctx: McpRequestContext) => {
    const { caller, env, reach } = scopeOf(ctx);
    return buildServer(definition, caller, env, reach);
  };
  const onerror = (error: Error) => log({ event: "mcp_error", error: describeError(error) });
  const modern = createMcpHandler(factory, { legacy: "reject", onerror, maxRequestBodySize: MAX_BODY_BYTES });
  const legacyStreaming = legacyStatelessFallback(factory, onerror, { maxRequestBodySize: MAX_BODY_BYTES });

  /**
   * A single 2025-era request whose handler may notify: the SDK's transport in JSON mode (all its
   * checks run as for any request), answered with plain JSON unless a message for the request
   * (progress, a log message) comes before its result; from that message on, the answer is an SSE
   * stream carrying it, what follows, and the result. Same wire as the SDK's streaming transport,
   * without framing, re-reading and re-parsing every answer that has nothing to stream.
   */
  async function legacyJsonUnlessNotified(request: Request, parsedBody: unknown, authInfo: AuthInfo): Promise<Response> {
    const server = factory({ era: "legacy", authInfo, requestInfo: request });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
    let open = false;
    let streamed: (response: Response) => void = () => {};
    const streamedResponse = new Promise<Response>((resolve) => (streamed = resolve));
    const send = transport.send.bind(transport);
    transport.send = async (message, options) => {
      const isAnswer = "id" in message && ("result" in message || "error" in message);
      if (!stream) {
        // The JSON transport answers by itself; a message before the answer switches to a stream.
        if (isAnswer || options?.relatedRequestId === undefined) return send(message, options);
        const readable = new ReadableStream<Uint8Array>({
          start: (controller) => {
            stream = controller;
            open = true;
          },
          cancel: () => {
            open = false;
          },
        });
        streamed(new Response(readable, { status: 200, headers: SSE_HEADERS }));
      }
      if (open) {
        stream?.enqueue(encoder.encode(`event: message\ndata: ${JSON.stringify(message)}\n\n`));
        if (isAnswer) {
          open = false;
          stream?.close();
        }
      }
      // The transport's own bookkeeping (its JSON answer is not used once streaming).
      if (isAnswer) await send(message, options);
    };
    await server.connect(transport);
    const answered = transport.handleRequest(request, { parsedBody, authInfo });
    // The transport's own answer settles once the result is sent, streamed or not: then the server
    // holds nothing (no handler, timer or stream) and is left to the garbage collector; closing it
    // costs an error with a stack trace per request. Closing it earlier (the client left, or the
    // transport failed) aborts the handler's signal.
    const close = () => void server.close().catch(() => {});
    answered.catch(close);
    return answerWhileRunning(Promise.race([answered, streamedResponse]), close, request.signal);
  }

  /**
   * A single 2026-07-28 request whose handler may notify: the SDK's handler, given a request whose
   * signal this layer controls, since on this protocol closing the response stream is the
   * cancellation (no notifications/cancelled over HTTP).
   */
  function modernCancellable(request: Request, parsedBody: unknown, authInfo: AuthInfo): Promise<Response> {
    const exchange = new AbortController();
    const headers = new Headers(request.headers);
    // The body was read once already (parsedBody); this request carries none.
    headers.delete("content-length");
    const forwarded = new Request(request.url, { method: request.method, headers, signal: exchange.signal });
    return answerWhileRunning(modern.fetch(forwarded, { parsedBody, authInfo }), () => exchange.abort(), request.signal);
  }

  async function legacyJson(request: Request, parsedBody: unknown, authInfo: AuthInfo): Promise<Response> {
    const server = factory({ era: "legacy", authInfo, requestInfo: request });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      // Answered: nothing is left running (see legacyJsonUnlessNotified), so the server is not closed.
      return await transport.handleRequest(request, { parsedBody, authInfo });
    } catch (error) {
      void server.close().catch(() => {});
      throw error;
    }
  }

  return async function handle(request: Request, caller: Caller, env: unknown): Promise<Response> {
    if (request.method !== "POST") {
      // Stateless on every era: no standalone GET stream, no session to DELETE.
      return jsonRpcError(405, -32000, "Method Not Allowed: this endpoint is stateless; send JSON-RPC with POST.", {
        Allow: "POST, OPTIONS",
      });
    }
    if (request.headers.has("mcp-session-id")) {
      // This server never issues sessions, so any session id is unknown: the client re-initializes.
      return jsonRpcError(404, -32001, "Session not found: this server is stateless; initialize again without Mcp-Session-Id.");
    }
    const read = await readJsonBody(request, MAX_BODY_BYTES);
    if (!read.ok) return read.response;
    const parsedBody = read.body;
    const tool = toolNameOf(parsedBody);
    if (tool !== undefined) annotate({ tool });
    const authInfo = authInfoFor({ caller, env, reach: reachOf(parsedBody) }, request);
    if (await isLegacyRequest(request, parsedBody, { maxRequestBodySize: MAX_BODY_BYTES })) {
      if (Array.isArray(parsedBody)) return legacyStreaming(request, { parsedBody, authInfo });
      if (mayNotify(parsedBody)) return legacyJsonUnlessNotified(request, parsedBody, authInfo);
      return legacyJson(request, parsedBody, authInfo);
    }
    if (mayNotify(parsedBody)) return modernCancellable(request, parsedBody, authInfo);
    return modern.fetch(request, { parsedBody, authInfo });
  };
}

/**
 * The answer to a call that may run long, made so that the call stops when its client leaves.
 * workerd tells a Worker its client has gone only when a write to the response fails (under
 * `wrangler dev` request.signal never aborts before that, even with `enable_request_signal`), so:
 * - an answer ready within STREAM_AFTER_MS that is not a stream is returned unchanged (plain JSON);
 * - otherwise the answer is an SSE stream, carrying a comment frame every KEEP_ALIVE_MS between
 *   events until the result, then the result (a JSON answer becomes one `message` event; a
 *   streamed one is passed through);
 * - `cancel` runs when that stream is cancelled (a write failed: the client left) or when the
 *   request's signal aborts (where the runtime reports a disconnect earlier). It must stop the
 *   call, which answers nobody from then on.
 */
export async function answerWhileRunning(
  answer: Promise<Response>,
  cancel: () => void,
  signal: AbortSignal | undefined,
  timing = { streamAfterMs: STREAM_AFTER_MS, keepAliveMs: KEEP_ALIVE_MS },
): Promise<Response> {
  signal?.addEventListener("abort", cancel, { once: true });
  let wait: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<undefined>((resolve) => {
    wait = setTimeout(() => resolve(undefined), timing.streamAfterMs);
  });
  const early = await Promise.race([answer, slow]);
  clearTimeout(wait);
  if (early && !isEventStream(early)) return early;

  let finished = false;
  let keepAlive: ReturnType<typeof setInterval> | undefined;
  let upstream: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const finish = () => {
    finished = true;
    clearInterval(keepAlive);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      // Comment frames go only between events, never inside one that arrived in pieces.
      let betweenEvents = true;
      const write = (chunk: Uint8Array) => {
        if (finished) return;
        controller.enqueue(chunk);
        betweenEvents = endsEvent(chunk);
      };
      keepAlive = setInterval(() => {
        if (betweenEvents) write(KEEP_ALIVE_FRAME);
      }, timing.keepAliveMs);
      const relay = async () => {
        const response = early ?? (await answer);
        if (isEventStream(response) && response.body) {
          upstream = response.body.getReader();
          for (let read = await upstream.read(); !read.done; read = await upstream.read()) write(read.value);
        } else {
          const text = await response.text();
          // Re-serialized, so the event's data is one line whatever the body's formatting.
          if (text.trim()) write(encoder.encode(`event: message\ndata: ${JSON.stringify(JSON.parse(text))}\n\n`));
        }
      };
      relay()
        .catch((error) => log({ event: "mcp_error", error: describeError(error) }))
        .finally(() => {
          if (finished) return;
          finish();
          try {
            controller.close();
          } catch {
            // already errored: nothing more can be sent
          }
        });
    },
    cancel(reason) {
      finish();
      void upstream?.cancel(reason).catch(() => {});
      cancel();
    },
  });
  return new Response(body, { status: 200, headers: SSE_HEADERS });
}

function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.split(";")[0]?.trim() === "text/event-stream";
}

/** Whether a chunk of an SSE stream ends an event (a blank line). */
function endsEvent(chunk: Uint8Array): boolean {
  const length = chunk.length;
  return length >= 2 && chunk[length - 1] === 0x0a && chunk[length - 2] === 0x0a;
}

/** The tool a single tools/call names, for the request's log line. */
function toolNameOf(body: unknown): string | undefined {
  const message = body as { method?: unknown; params?: { name?: unknown } } | null;
  return message?.method === "tools/call" && typeof message.params?.name === "string" ? message.params.name.slice(0, 64) : undefined;
}

/** Methods whose handlers may send progress or log notifications before their result. */
const NOTIFYING_METHODS = new Set(["tools/call", "prompts/get", "resources/read"]);

/** A 2025-era request that may need an SSE response to carry notifications ahead of its result. */
function mayNotify(body: unknown): boolean {
  const message = body as { method?: unknown; params?: { _meta?: { progressToken?: unknown } } } | null;
  return NOTIFYING_METHODS.has(message?.method as string) || message?.params?._meta?.progressToken !== undefined;
}
