import { bearerAuthChallengeResponse, OAuthError, OAuthErrorCode } from "@modelcontextprotocol/server";
import { annotate, type Caller, isAnonymous } from "@repo/mcp-core";
import type { McpMessage } from "./message.js";
import { PROTECTED_RESOURCE_METADATA_PATH } from "./paths.js";

/**
 * The one place a tool's, prompt's or resource's scopes are checked, for every transport and
 * both protocol eras: before anything is dispatched, every message of a body is held to the
 * scopes its target declares (the classifier found them). A public server's anonymous callers
 * are not asked for scopes: it serves everything it lists.
 */

/** JSON-RPC server-error code for a call the credential's scopes do not cover (HTTP 403 where HTTP can say it). */
export const INSUFFICIENT_SCOPE_CODE = -32003;

export interface ScopeRefusal {
  message: McpMessage;
  /** Every scope the refused message's target requires. */
  scopes: readonly string[];
}

/** The scopes in `required` that the caller's credential lacks; none for an anonymous caller. */
export function missingScopes(caller: Caller, required: readonly string[]): string[] {
  if (required.length === 0 || isAnonymous(caller)) return [];
  return required.filter((scope) => !caller.scopes.includes(scope));
}

/** The first message the caller may not send, or undefined when it may send them all. */
export function scopeRefusal(caller: Caller, messages: readonly McpMessage[]): ScopeRefusal | undefined {
  for (const message of messages) {
    if (missingScopes(caller, message.scopes).length > 0) return { message, scopes: message.scopes };
  }
  return undefined;
}

/**
 * HTTP 403 `insufficient_scope` naming every scope the target needs and where to re-authorize
 * (RFC 6750 §3.1, RFC 9728 §5.1). /mcp answers with an OAuth error body, as the SDK's own scope
 * challenge does; the legacy SSE message endpoint with a JSON-RPC error for the refused request,
 * so an SSE client can match it to its call.
 */
export function insufficientScope(request: Request, refusal: ScopeRefusal, body: "oauth" | "json-rpc"): Response {
  annotate({ outcome: "scope_refused" });
  const scopes = refusal.scopes.join(" ");
  const metadata = new URL(PROTECTED_RESOURCE_METADATA_PATH, request.url).href;
  if (body === "oauth") {
    return bearerAuthChallengeResponse(new OAuthError(OAuthErrorCode.InsufficientScope, "Insufficient scope"), {
      requiredScopes: [...refusal.scopes],
      resourceMetadataUrl: metadata,
    });
  }
  return Response.json(
    {
      jsonrpc: "2.0",
      id: refusal.message.id ?? null,
      error: { code: INSUFFICIENT_SCOPE_CODE, message: `Forbidden (insufficient_scope): this needs the scope ${scopes}` },
    },
    {
      status: 403,
      headers: { "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${scopes}", resource_metadata="${metadata}"` },
    },
  );
}
