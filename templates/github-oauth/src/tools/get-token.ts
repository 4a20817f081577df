import { BearerProps, defineTool, sha256Hex, TOOLS_SCOPE, toolError, toolResult } from "@remote-mcp-workers/mcp-core";
import * as z from "zod";

/** Tokens shorter than this are masked entirely: showing 8 characters of them would reveal too much. */
export const MIN_PARTLY_SHOWN_LENGTH = 24;
export const FULLY_MASKED = "********";

/** First 4 and last 4 characters of a long token, nothing of a short one. */
export function maskToken(token: string): string {
  return token.length >= MIN_PARTLY_SHOWN_LENGTH ? `${token.slice(0, 4)}…${token.slice(-4)}` : FULLY_MASKED;
}

/** A short SHA-256 fingerprint ("sha256:" + 12 hex digits) to tell tokens apart without revealing them. */
export async function tokenFingerprint(token: string): Promise<string> {
  return `sha256:${(await sha256Hex(token)).slice(0, 12)}`;
}

export const getToken = defineTool({
  // The exact name the bearer-auth guides use to check that the Authorization header arrived.
  name: "getToken",
  title: "Show the bearer token in use",
  description:
    "Shows which bearer token this connection authenticated with, without revealing it: the scheme, a masked form (first and last 4 characters, or nothing for short tokens), a SHA-256 fingerprint, and whose credential it is.",
  inputSchema: z.object({}),
  outputSchema: z.object({
    scheme: z.literal("Bearer"),
    source: z.enum(["header", "query"]).describe("Where the token was sent"),
    masked: z.string().describe("The token with all but its first and last 4 characters hidden"),
    fingerprint: z.string().describe("sha256: and the first 12 hex digits of the token's SHA-256"),
    kind: z.enum(["api-key", "user-token"]),
    holder: z.string().describe("Non-secret name of the credential's holder"),
  }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false, destructiveHint: false },
  scopes: [TOOLS_SCOPE],
  handler: async (_args, ctx) => {
    const props = BearerProps.safeParse(ctx.props);
    if (!props.success) return toolError("This connection did not authenticate with a bearer token, so there is no token to show.");
    const { scheme, token, source, kind, label } = props.data;
    const masked = maskToken(token);
    const fingerprint = await tokenFingerprint(token);
    const where = source === "header" ? "the Authorization header" : "the auth_token query parameter";
    return toolResult(
      { scheme, source, masked, fingerprint, kind, holder: label },
      `${scheme} token from ${where}: ${masked} (${fingerprint}), ${kind === "api-key" ? "API key" : "user token"} of ${label}.`,
    );
  },
});
