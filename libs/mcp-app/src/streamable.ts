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
import { buildServer, type Caller, describeError, type ServerDefinition } from "./server.js";

export const MAX_BODY_BYTES = 1024 * 1024;

const encoder = new TextEncoder();
/** What the SDK's streaming transport answers a streamed request with. */
const SSE_HEADERS = {
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
};

/** What the transport hands the server factory: the caller and the Worker's env, never the raw token. */
interface RequestScope {
  caller: Caller;
  env: unknown;
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
    resourceMetadataUrl: new URL(PROTECTED_RESOURCE_METADATA, request.url).href,
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
 * The body is read and parsed once, and bounded.
 */
export function createStreamableHttpHandler(definition: ServerDefinition) {
  const factory = (ctx: McpRequestContext) => {
    const { caller, env } = scopeOf(ctx);
    return buildServer(definition, caller, env);
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
    // The transport's own answer settles once the result is sent, streamed or not: then the server is done.
    const close = () => void server.close().catch(() => {});
    answered.then(close, close);
    return Promise.race([answered, streamedResponse]);
  }

  async function legacyJson(request: Request, parsedBody: unknown, authInfo: AuthInfo): Promise<Response> {
    const server = factory({ era: "legacy", authInfo, requestInfo: request });
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(request, { parsedBody, authInfo });
    } finally {
      void server.close().catch(() => {});
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
    const authInfo = authInfoFor({ caller, env }, request);
    if (await isLegacyRequest(request, parsedBody, { maxRequestBodySize: MAX_BODY_BYTES })) {
      if (Array.isArray(parsedBody)) return legacyStreaming(request, { parsedBody, authInfo });
      if (mayNotify(parsedBody)) return legacyJsonUnlessNotified(request, parsedBody, authInfo);
      return legacyJson(request, parsedBody, authInfo);
    }
    return modern.fetch(request, { parsedBody, authInfo });
  };
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
