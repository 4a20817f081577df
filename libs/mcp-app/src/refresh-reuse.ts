import { log, sha256Hex } from "@repo/mcp-core";
import * as z from "zod";

/**
 * Refresh-token reuse detection (RFC 9700 §4.14.2, OAuth 2.1 §4.3.1), around the token endpoint of
 * workers-oauth-provider 1.2.3, which keeps the previous refresh token valid until its successor
 * is used and records whatever token it was given as the previous one: replaying a rotated-out
 * token works forever and ends the real client's chain. Here, a superseded refresh token may be
 * presented again once, within a short window (a client that lost the response to its refresh);
 * any other presentation of a superseded token revokes the whole grant.
 *
 * What this relies on in the provider (refresh-reuse.test.ts holds the pinned version to it):
 * - a refresh token is `<userId>:<grantId>:<secret>`;
 * - its grant is stored at `grant:<userId>:<grantId>` in OAUTH_KV, with `refreshTokenId` and
 *   `previousRefreshTokenId`, each the SHA-256 hex of a refresh token;
 * - the provider accepts both and, after a refresh, the presented token is the previous one.
 * Our own record, `refresh-history:<userId>:<grantId>`, lists the grant's superseded tokens (their
 * SHA-256 only) with when each was superseded and whether its one retry was used.
 */

/** Default seconds a superseded refresh token may still be retried once (REFRESH_RETRY_WINDOW_SECONDS). */
export const REFRESH_RETRY_WINDOW_SECONDS = 60;
/** Superseded tokens remembered per grant: enough to recognise any a thief could still hold for days of rotations. */
const HISTORY_KEPT = 64;
/** Seconds the history outlives its last rotation: the provider's longest refresh-token life here (30 days). */
const HISTORY_TTL_SECONDS = 30 * 24 * 3600;

const GrantRecord = z.looseObject({ refreshTokenId: z.string(), previousRefreshTokenId: z.string().optional(), clientId: z.string() });
const Superseded = z.object({ id: z.string(), at: z.number(), retried: z.boolean() });
const History = z.array(Superseded);
type History = z.infer<typeof History>;

export type RefreshVerdict =
  /** The grant's current token, or an unknown one: the provider decides. */
  | { kind: "proceed"; rotates: boolean }
  /** A superseded token's one retry, within the window. */
  | { kind: "retry" }
  /** A superseded token presented again: the grant must end. */
  | { kind: "reuse" };

/** What a presented refresh token is, given the grant record and the history (a pure function, unit-tested). */
export function judgeRefresh(
  presented: string,
  grant: { refreshTokenId: string; previousRefreshTokenId?: string },
  history: History,
  now: number,
  windowSeconds: number,
): RefreshVerdict {
  if (presented === grant.refreshTokenId) return { kind: "proceed", rotates: true };
  const superseded = history.find((entry) => entry.id === presented);
  if (presented === grant.previousRefreshTokenId && superseded && !superseded.retried && now - superseded.at <= windowSeconds) {
    return { kind: "retry" };
  }
  if (presented === grant.previousRefreshTokenId || superseded) return { kind: "reuse" };
  return { kind: "proceed", rotates: false };
}

export interface RefreshGuardOptions {
  app: string;
  /** Ends the grant: the provider's own revokeGrant, so its tokens and records go with it. */
  revokeGrant(grantId: string, userId: string): Promise<void>;
}

const reused = () =>
  Response.json(
    { error: "invalid_grant", error_description: "This refresh token was already used; the grant is revoked. Sign in again." },
    { status: 400, headers: { "Cache-Control": "no-store" } },
  );

/**
 * Serves a POST to the token endpoint through `next` (the provider), judging refresh tokens first.
 * Other grant types, and bodies that are not a refresh, pass through unchanged.
 */
export async function guardRefresh(
  request: Request,
  kv: KVNamespace,
  windowSeconds: number,
  options: RefreshGuardOptions,
  next: (request: Request) => Promise<Response>,
): Promise<Response> {
  const body = await request.text();
  const forward = () => next(new Request(request, { body }));
  const params = new URLSearchParams(body);
  const token = params.get("refresh_token");
  if (params.get("grant_type") !== "refresh_token" || !token) return forward();
  const [userId, grantId, secret, ...rest] = token.split(":");
  if (!userId || !grantId || !secret || rest.length > 0) return forward();

  const grantKey = `grant:${userId}:${grantId}`;
  const historyKey = `refresh-history:${userId}:${grantId}`;
  const [grantJson, historyJson] = await Promise.all([kv.get(grantKey, "json"), kv.get(historyKey, "json")]);
  const grant = GrantRecord.safeParse(grantJson);
  if (!grant.success) return forward();
  const history = History.safeParse(historyJson ?? []).data ?? [];
  const presented = await sha256Hex(token);
  const now = Math.floor(Date.now() / 1000);
  const verdict = judgeRefresh(presented, grant.data, history, now, windowSeconds);

  if (verdict.kind === "reuse") {
    await options.revokeGrant(grantId, userId);
    await kv.delete(historyKey);
    log({ app: options.app, event: "refresh_token_reuse", clientId: grant.data.clientId, grant: grantId.slice(0, 8) });
    return reused();
  }
  const response = await forward();
  if (response.status !== 200) return response;
  // What this refresh superseded: the presented current token (its one retry still open), or on a
  // retry the successor the client never received (no retry of its own: it was never used).
  const updated =
    verdict.kind === "retry"
      ? [
          ...history.map((entry) => (entry.id === presented ? { ...entry, retried: true } : entry)),
          { id: grant.data.refreshTokenId, at: now, retried: true },
        ]
      : verdict.rotates
        ? [...history, { id: presented, at: now, retried: false }]
        : undefined;
  if (updated) await kv.put(historyKey, JSON.stringify(updated.slice(-HISTORY_KEPT)), { expirationTtl: HISTORY_TTL_SECONDS });
  return response;
}

/** REFRESH_RETRY_WINDOW_SECONDS as configured: 0 to 300 seconds, default 60. */
export function refreshRetryWindow(value: string | undefined): number {
  const seconds = Number(value ?? REFRESH_RETRY_WINDOW_SECONDS);
  return Number.isInteger(seconds) && seconds >= 0 && seconds <= 300 ? seconds : REFRESH_RETRY_WINDOW_SECONDS;
}
