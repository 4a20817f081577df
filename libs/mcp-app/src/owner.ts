import type { Caller } from "@repo/mcp-core";

/**
 * Who owns a stateful thing (an SSE session, a task): the OAuth client and the user together, so
 * neither another user of the same client nor another client of the same user reaches it.
 */
export const ownerOf = (caller: Caller): string => `${caller.clientId ?? ""}\0${caller.userId ?? ""}`;
