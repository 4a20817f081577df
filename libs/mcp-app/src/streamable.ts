import {
  type AuthInfo,
  createMcpHandler,
  isLegacyRequest,
  legacyStatelessFallback,
  type McpRequestContext,
  type McpServer,
  PROTOCOL_VERSION_META_KEY,
} from "@modelcontextprotocol/server";
import { annotate, type Caller, describeError, log } from "@repo/mcp-core";
import { jsonRpcError, readJsonBody } from "./jsonrpc.js";
import { LegacyExchange, SSE_HEADERS } from "./legacy-exchange.js";
import { urlOf } from "./origin.js";
import { buildServer, type Reach, reachOf, type ServerDefinition } from "./server.js";

export const MAX_BODY_BYTES = 1024 * 1024;

const encoder = new TextEncoder();

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
  /** The server built for the request, once the SDK has asked for it. */
  server?: McpServer;
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
 * - a 2025-era message is answered by a per-request server on a LegacyExchange: plain JSON, or
 *   an SSE stream only if a notification (progress, a log message) comes before the result;
 *   2025-era batches go to the SDK's stateless streaming fallback.
 * Either era's call that may notify is cancelled when its client leaves (answerWhileRunning): a
 * stateless server has no session a notifications/cancelled could reach, and on 2026-07-28 closing
 * the response stream is the cancellation.
 * The body is read and parsed once, and bounded.
 */
export function createStreamableHttpHandler(definition: ServerDefinition) {
  const factory = (ctx: McpRequestContext) => {
    const scope = scopeOf(ctx);
    scope.server = buildServer(definition, scope.caller, scope.env, scope.reach);
    return scope.server;
  };
  const onerror = (error: Error) => log({ event: "mcp_error", error: describeError(error) });
  const modern = createMcpHandler(factory, { legacy: "reject", onerror, maxRequestBodySize: MAX_BODY_BYTES });
  const legacyStreaming = legacyStatelessFallback(factory, onerror, { maxRequestBodySize: MAX_BODY_BYTES });

  /**
   * A single 2025-era message: a per-request server on a LegacyExchange (the SDK transport's checks
   * and answers, without its bookkeeping per request), answered with plain JSON unless a message
   * for the request comes before its result. A call that may notify is cancelled when its client
   * leaves (answerWhileRunning closes the server, which aborts the handler's signal).
   */
  async function legacySingle(request: Request, parsedBody: unknown, authInfo: AuthInfo): Promise<Response> {
    const server = factory({ era: "legacy", authInfo, requestInfo: request });
    const exchange = new LegacyExchange();
    await server.connect(exchange);
    // Once answered, the server holds nothing (no handler, timer or stream) and is left to the
    // garbage collector: closing it costs an error with a stack trace per request.
    const close = () => void server.close().catch(() => {});
    const answered = exchange.serve(request, parsedBody, authInfo);
    answered.catch(close);
    return mayNotify(parsedBody) ? answerWhileRunning(answered, close, request.signal) : answered;
  }

  /**
   * A single 2026-07-28 request whose handler may notify: the SDK's handler; on this protocol closing
   * the response stream is the cancellation (no notifications/cancelled over HTTP), which closes
   * the request's server and so aborts its handler.
   */
  function modernCancellable(request: Request, parsedBody: unknown, authInfo: AuthInfo, scope: RequestScope): Promise<Response> {
    const close = () => void scope.server?.close().catch(() => {});
    return answerWhileRunning(modern.fetch(request, { parsedBody, authInfo }), close, request.signal);
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
    const scope: RequestScope = { caller, env, reach: reachOf(parsedBody) };
    const authInfo = authInfoFor(scope, request);
    if (!claimsModern(parsedBody) && (await isLegacyRequest(request, parsedBody, { maxRequestBodySize: MAX_BODY_BYTES }))) {
      if (Array.isArray(parsedBody)) return legacyStreaming(request, { parsedBody, authInfo });
      return legacySingle(request, parsedBody, authInfo);
    }
    if (mayNotify(parsedBody)) return modernCancellable(request, parsedBody, authInfo, scope);
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

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Whether a single message carries the 2026-07-28 per-request envelope claim (a protocol version in
 * `params._meta`). isLegacyRequest is false for every such message but initialize (its documented
 * routing: the modern handler answers a claim, or refuses it); knowing that here saves classifying
 * the message twice, since the modern handler classifies it again.
 */
export function claimsModern(body: unknown): boolean {
  if (!isObject(body) || body.method === "initialize" || !isObject(body.params)) return false;
  const meta = body.params._meta;
  return isObject(meta) && PROTOCOL_VERSION_META_KEY in meta;
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
