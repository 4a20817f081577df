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
      if (mayNotify(parsedBody)) return jsonUnlessNotified(await legacyStreaming(request, { parsedBody, authInfo }));
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

/**
 * Reads a streamed reply up to its first event: when that event is already the response, nothing
 * came before it and the reply is sent as one JSON body (cheaper for both sides); otherwise the
 * stream is passed on intact, the first event included.
 */
async function jsonUnlessNotified(response: Response): Promise<Response> {
  if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) return response;
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  const chunks: Uint8Array[] = [];
  let text = "";
  let done = false;
  while (!text.includes("\n\n")) {
    const read = await reader.read();
    if (read.done) {
      done = true;
      break;
    }
    chunks.push(read.value);
    text += decoder.decode(read.value, { stream: true });
  }
  const end = text.indexOf("\n\n");
  const first = end >= 0 ? text.slice(0, end) : "";
  const data = first
    .split("\n")
    .filter((line) => line.startsWith("data:"))
    .map((line) => line.slice(5).trimStart())
    .join("\n");
  const message = parseJson(data) as { id?: unknown; result?: unknown; error?: unknown } | undefined;
  if (message && message.id !== undefined && ("result" in message || "error" in message)) {
    void reader.cancel().catch(() => {});
    const headers = new Headers(response.headers);
    headers.set("content-type", "application/json");
    headers.delete("x-accel-buffering");
    return new Response(data, { status: response.status, headers });
  }
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      if (done) controller.close();
    },
    async pull(controller) {
      const read = await reader.read();
      if (read.done) controller.close();
      else controller.enqueue(read.value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return new Response(rest, { status: response.status, statusText: response.statusText, headers: response.headers });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
