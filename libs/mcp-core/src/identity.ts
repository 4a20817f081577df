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
}) satisfies z.ZodType<Caller>;

export const anonymous: Caller<undefined> = { props: undefined, scopes: [] };

/** A caller no auth layer vouched for: a public server's. Scopes are not asked of it. */
export const isAnonymous = (caller: Caller): boolean => caller.clientId === undefined && caller.userId === undefined;
