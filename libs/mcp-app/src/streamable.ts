import {
  type AuthInfo,
  createMcpHandler,
  isLegacyRequest,
  legacyStatelessFallback,
  type McpRequestContext,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import { jsonRpcError, readJsonBody } from "./jsonrpc.js";
import { log } from "./log.js";
import { buildServer, type Caller, describeError, type ServerDefinition } from "./server.js";

export const MAX_BODY_BYTES = 1024 * 1024;

/** What the transport hands the server factory: the caller and the Worker's env, never the raw token. */
interface RequestScope {
  caller: Caller;
  env: unknown;
}

const SCOPE_KEY = "io.github.remote-mcp-workers/scope";

function authInfoFor(scope: RequestScope): AuthInfo {
  return {
    // The credential itself stays in the auth layer; the SDK only needs something non-empty.
    token: "[validated]",
    clientId: scope.caller.clientId ?? "anonymous",
    scopes: [...scope.caller.scopes],
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
 * - 2025-era requests are answered with plain JSON by a per-request server, or as an SSE
 *   stream when the call asked for progress (so the notifications can reach the client).
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
    const authInfo = authInfoFor({ caller, env });
    if (await isLegacyRequest(request, parsedBody, { maxRequestBodySize: MAX_BODY_BYTES })) {
      return wantsStream(parsedBody) ? legacyStreaming(request, { parsedBody, authInfo }) : legacyJson(request, parsedBody, authInfo);
    }
    return modern.fetch(request, { parsedBody, authInfo });
  };
}

/** A 2025-era call that asked for progress needs an SSE response to carry the notifications. */
function wantsStream(body: unknown): boolean {
  if (Array.isArray(body)) return true;
  const meta = (body as { params?: { _meta?: { progressToken?: unknown } } } | null)?.params?._meta;
  return meta?.progressToken !== undefined;
}
