import type { Caller } from "@repo/mcp-core";

/**
 * Who owns a stateful thing (an SSE session, a task): the OAuth client and the user together, so
 * neither another user of the same client nor another client of the same user reaches it; and,
 * on OAuth, the grant, so that once it is revoked nothing it made is reachable again.
 */
export const ownerOf = (caller: Caller): string => JSON.stringify([caller.clientId ?? "", caller.userId ?? "", caller.grantId ?? ""]);
