import * as z from "zod";

/** Who is calling, as established by the app's auth layer before any MCP message is read. */
export interface Caller<Props = unknown> {
  /** Validated identity (grant props, bearer key label, ...); undefined on public servers. */
  props: Props;
  /** Scopes on the caller's credential. */
  scopes: readonly string[];
  /** OAuth client id, or another stable label of the credential, for logs. */
  clientId?: string;
  /** Stable user id for logs and session ownership. */
  userId?: string;
  /**
   * The authorization grant the credential belongs to (OAuth; stable across refreshes). What the
   * caller owns (a task, an SSE session) is bound to it, so revoking the grant ends access to
   * those too, even for the same client and user signing in again.
   */
  grantId?: string;
}

/**
 * A Caller's shape, for where one crosses a boundary untyped (an RPC argument, stored session
 * state). It checks the shape only: what `props` holds is the auth style's to validate.
 */
export const CallerSchema = z.object({
  props: z.unknown(),
  scopes: z.array(z.string()),
  clientId: z.string().optional(),
  userId: z.string().optional(),
  grantId: z.string().optional(),
}) satisfies z.ZodType<Caller>;

/**
 * The props a bearer-authenticated caller carries, validated once at the HTTP boundary. The token
 * is here so tools can act with it (get_user_data) or describe it (getToken); never log props.
 */
export const BearerProps = z.object({
  scheme: z.literal("Bearer"),
  token: z.string().min(1),
  /** Where the token came from: the Authorization header, or the opt-in `?auth_token=` parameter. */
  source: z.enum(["header", "query"]),
  /** An API key of this server, or the user's own credential for the user backend. */
  kind: z.enum(["api-key", "user-token"]),
  /** Non-secret name of the holder ("key:laptop", "user:1"). */
  label: z.string().min(1),
});
export type BearerProps = z.output<typeof BearerProps>;

/** What a validator established about a presented token. */
export interface ValidatedToken {
  /** What the token is: one of this server's API keys, or a user's own credential for the user backend. */
  kind: BearerProps["kind"];
  /** A stable, non-secret name for the credential's holder ("key:laptop", "user:1"), for logs and session ownership. */
  label: BearerProps["label"];
  /** The scopes the credential is limited to; absent when it is not limited (the server's defaults apply). */
  scopes?: readonly string[];
}

/**
 * Checks one bearer token: the identity it carries, or `null` for a token that is not valid here.
 * Throws when it cannot decide (a backend that does not answer); the caller answers 503, never 200.
 */
export type TokenValidator = (token: string) => Promise<ValidatedToken | null>;

export const anonymous: Caller<undefined> = { props: undefined, scopes: [] };

/** A caller no auth layer vouched for: a public server's. Scopes are not asked of it. */
export const isAnonymous = (caller: Caller): boolean => caller.clientId === undefined && caller.userId === undefined;
