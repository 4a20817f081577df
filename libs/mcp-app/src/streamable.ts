import {
  createMcpHandler,
  isLegacyRequest,
  legacyStatelessFallback,
  type McpRequestContext,
  type McpServer,
} from "@modelcontextprotocol/server";
import { annotate, type Caller, currentScope, describeError, log } from "@repo/mcp-core";
import type { ServerDefinition } from "./definition.js";
import { jsonRpcError, readJsonBody } from "./jsonrpc.js";
import { LegacyExchange } from "./legacy-exchange.js";
import { type ClassifiedBody, classifyBody, joinMessageTrace, type McpMessage, TOO_MANY_MESSAGES } from "./message.js";
import { insufficientScope, scopeRefusal } from "./scope-gate.js";
import { buildServer } from "./server.js";
import { isEventStream, KEEP_ALIVE_MS, SseStream } from "./sse-stream.js";
import { listenToTasks, watchedTaskIds } from "./task-listen.js";
import { taskCapabilityRefusal } from "./tasks.js";

export const MAX_BODY_BYTES = 1024 * 1024;

/** A call still running after this long is answered with an SSE stream (see answerWhileRunning). */
export const STREAM_AFTER_MS = 1000;

/** What the server built for one request is built from: the caller the auth layer established, never its credential. */
interface RequestContext {
  caller: Caller;
  env: unknown;
  classified: ClassifiedBody;
}

/**
 * Streamable HTTP at /mcp for both protocol eras, statelessly. The body is read once, bounded,
 * classified (message.ts) and held to the caller's scopes (scope-gate.ts); then:
 * - a 2026-07-28 request goes to the SDK's modern handler;
 * - a single 2025-era message is answered by a per-request server on a LegacyExchange: plain
 *   JSON, or an SSE stream only if a notification (progress, a log message) comes before the
 *   result; 2025-era batches go to the SDK's stateless streaming fallback.
 * Either era's call that may notify is cancelled when its client leaves (answerWhileRunning): a
 * stateless server has no session a notifications/cancelled could reach, and on 2026-07-28 closing
 * the response stream is the cancellation.
 */
export function createStreamableHttpHandler(definition: ServerDefinition) {
  // A 2026-07-28 request's server is built here, for its caller, before the SDK's handler runs;
  // the SDK hands its factory the Request it was given, and the factory returns that request's
  // server. Nothing travels through authInfo, and the pipeline holds the server it may cancel.
  const servers = new WeakMap<Request, McpServer>();
  const factory = (ctx: McpRequestContext) => {
    const server = ctx.requestInfo && servers.get(ctx.requestInfo);
    if (!server) throw new Error("MCP request reached the server factory without a server built for its caller");
    return server;
  };
  const onerror = (error: Error) => log({ event: "mcp_error", error: describeError(error) });
  const modern = createMcpHandler(factory, { legacy: "reject", onerror, maxRequestBodySize: MAX_BODY_BYTES });

  /**
   * A single 2025-era message: a per-request server on a LegacyExchange (the SDK transport's checks
   * and answers, without its bookkeeping per request). A call that may notify is cancelled when
   * its client leaves (answerWhileRunning closes the server, which aborts the handler's signal).
   */
  async function legacySingle(request: Request, context: RequestContext): Promise<Response> {
    const server = buildServer(definition, context.caller, context.env, context.classified.reach);
    const exchange = new LegacyExchange();
    await server.connect(exchange);
    // Once answered, the server holds nothing (no handler, timer or stream) and is left to the
    // garbage collector: closing it costs an error with a stack trace per request.
    const close = () => void server.close().catch(() => {});
    const answered = exchange.serve(request, context.classified.body);
    answered.catch(close);
    return context.classified.messages[0]?.mayNotify ? answerWhileRunning(answered, close, request.signal) : answered;
  }

  /** 2025-era batches: rare, so served by the SDK's own stateless fallback with a server built for this caller. */
  function legacyBatch(request: Request, context: RequestContext): Promise<Response> {
    const serve = legacyStatelessFallback(() => buildServer(definition, context.caller, context.env), onerror, {
      maxRequestBodySize: MAX_BODY_BYTES,
    });
    return serve(request, { parsedBody: context.classified.body });
  }

  /**
   * A 2026-07-28 request. On this protocol closing the response stream is the cancellation (no
   * notifications/cancelled over HTTP): for a handler that may notify, closing its server aborts it.
   */
  function modernRequest(request: Request, context: RequestContext): Promise<Response> {
    const server = buildServer(definition, context.caller, context.env, context.classified.reach);
    servers.set(request, server);
    const answer = modern.fetch(request, { parsedBody: context.classified.body });
    if (!context.classified.messages[0]?.mayNotify) return answer;
    return answerWhileRunning(answer, () => void server.close().catch(() => {}), request.signal);
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
    const classified = classifyBody(read.body, definition);
    if (!classified) return jsonRpcError(400, -32600, TOO_MANY_MESSAGES);
    joinMessageTrace(classified);
    const single = classified.batch ? undefined : classified.messages[0];
    if (single?.method === "tools/call" && single.name !== undefined) annotate({ tool: single.name.slice(0, 64) });
    const refusal = scopeRefusal(caller, classified.messages);
    if (refusal) return insufficientScope(request, refusal, "oauth");
    const needsTasks = taskCapabilityRefusal(classified.messages);
    if (needsTasks) return needsTasks;
    const taskIds = watchedTaskIds(single, definition);
    if (single && taskIds) return listenToTasks(single, taskIds, caller, env, definition);
    const context: RequestContext = { caller, env, classified };
    const legacy =
      !single?.claimsModern &&
      (plainlyLegacy(request, single) || (await isLegacyRequest(request, read.body, { maxRequestBodySize: MAX_BODY_BYTES })));
    const response = legacy
      ? await (classified.batch ? legacyBatch(request, context) : legacySingle(request, context))
      : await modernRequest(request, context);
    if (single?.method === "tools/call") await noteRefusedCall(response);
    return response;
  };
}

/** The first protocol revision of the modern era; a header naming it or a later one is not 2025-era. */
const FIRST_MODERN_VERSION = "2026-07-28";

/**
 * Whether a single message is 2025-era by the SDK's own routing rules, decided without its
 * classifier (which validates the body again, a measurable share of a tools/call): a request
 * other than initialize, making no 2026-07-28 claim in `_meta`, whose MCP-Protocol-Version header
 * is absent or names an earlier revision. Anything else (initialize, notifications, responses,
 * batches, a modern header) is left to isLegacyRequest.
 */
export function plainlyLegacy(request: Request, single: McpMessage | undefined): boolean {
  if (single?.kind !== "request" || single.claimsModern || single.method === "initialize") return false;
  const header = request.headers.get("mcp-protocol-version")?.trim();
  return header === undefined || header < FIRST_MODERN_VERSION;
}

/**
 * The outcome of a tools/call the SDK answered without running its tool: an unknown tool or a
 * malformed call is a JSON-RPC error (protocol_error), arguments the schema refused an isError
 * result (tool_error). Only this refused path reads a copy of the answer; the answer is small.
 */
async function noteRefusedCall(response: Response): Promise<void> {
  const scope = currentScope();
  if (!scope || scope.fields.outcome !== undefined) return;
  if (scope.trace?.spans.some((span) => span.attributes["mcp.method.name"] === "tools/call")) return;
  const text = await response
    .clone()
    .text()
    .catch(() => "");
  // A JSON body, or the one `data:` line of an SSE-framed answer.
  const json = isEventStream(response) ? (/^data: (.*)$/m.exec(text)?.[1] ?? "") : text;
  let answer: { result?: { isError?: unknown }; error?: unknown } | undefined;
  try {
    answer = JSON.parse(json);
  } catch {}
  annotate({ outcome: answer?.result?.isError === true ? "tool_error" : "protocol_error" });
}

/**
 * The answer to a call that may run long, made so that the call stops when its client leaves.
 * workerd tells a Worker its client has gone only when a write to the response fails (under
 * `wrangler dev` request.signal never aborts before that, even with `enable_request_signal`), so:
 * - an answer ready within STREAM_AFTER_MS that is not a stream is returned unchanged (plain JSON);
 * - otherwise the answer is an SSE stream, carrying a comment frame every KEEP_ALIVE_MS.runningCall between
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
  timing: { streamAfterMs: number; keepAliveMs: number } = { streamAfterMs: STREAM_AFTER_MS, keepAliveMs: KEEP_ALIVE_MS.runningCall },
): Promise<Response> {
  signal?.addEventListener("abort", cancel, { once: true });
  let wait: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<undefined>((resolve) => {
    wait = setTimeout(() => resolve(undefined), timing.streamAfterMs);
  });
  const early = await Promise.race([answer, slow]);
  clearTimeout(wait);
  if (early && !isEventStream(early)) return early;

  let upstream: ReadableStreamDefaultReader<Uint8Array> | undefined;
  const stream = new SseStream((reason) => {
    void upstream?.cancel(reason).catch(() => {});
    cancel();
  });
  stream.keepAlive(timing.keepAliveMs);
  const relay = async () => {
    const response = early ?? (await answer);
    if (isEventStream(response) && response.body) {
      upstream = response.body.getReader();
      for (let read = await upstream.read(); !read.done; read = await upstream.read()) stream.write(read.value);
    } else {
      const text = await response.text();
      // Re-serialized, so the event's data is one line whatever the body's formatting.
      if (text.trim()) stream.send(JSON.parse(text));
    }
  };
  relay()
    .catch((error) => log({ event: "mcp_error", error: describeError(error) }))
    .finally(() => stream.close());
  return stream.response();
}
