import { BearerProps, defineTool, isLoopbackHost, TOOLS_SCOPE, toolError, toolResult, tracedCall } from "@remote-mcp-workers/mcp-core";
import * as z from "zod";

/** get_user_data's MCP Apps view (profile-ui.ts), linked from the tool by its URI. */
export const PROFILE_UI_URI = "ui://profile/card";

/** A user as the user backend's `GET /me` returns it. */
export const User = z.object({
  id: z.union([z.number().int(), z.string().min(1)]),
  name: z.string(),
  email: z.string(),
  role: z.string(),
});
export type User = z.output<typeof User>;

/** How the Worker reaches the user backend, from its bindings and vars. */
export interface UserApiEnv {
  /** Service binding to the backend Worker; used whenever it is bound. */
  USER_API?: { fetch(request: Request): Promise<Response> };
  /** The backend's base URL (GET <url>/me), used when no binding is present. */
  USER_API_URL?: string;
  /** Milliseconds to wait for the backend (default 5000). */
  USER_API_TIMEOUT_MS?: string;
  /** "server": API-key callers reach the backend with the server's own MCP_AUTH_TOKEN. */
  BACKEND_CREDENTIAL?: string;
  MCP_AUTH_TOKEN?: string;
}

export const DEFAULT_USER_API_TIMEOUT_MS = 5000;
// The binding ignores the host; the name only makes logs and errors readable.
const BINDING_BASE = "https://user-api.internal/";

type Failure = "unauthorized" | "not_found" | "timeout" | "cancelled" | "unavailable" | "bad_response" | "not_configured";
export type UserLookup = { ok: true; user: User } | { ok: false; failure: Failure; message: string };

const fail = (failure: Failure, message: string): UserLookup => ({ ok: false, failure, message });

/** Reads the backend settings from an untyped Worker env, keeping only well-formed values. */
export function userApiEnv(env: unknown): UserApiEnv {
  const source = (env && typeof env === "object" ? env : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof source[key] === "string" && source[key] !== "" ? (source[key] as string) : undefined);
  const binding = source.USER_API as { fetch?: unknown } | undefined;
  return {
    ...(binding && typeof binding.fetch === "function" && { USER_API: binding as UserApiEnv["USER_API"] }),
    USER_API_URL: text("USER_API_URL"),
    USER_API_TIMEOUT_MS: text("USER_API_TIMEOUT_MS"),
    BACKEND_CREDENTIAL: text("BACKEND_CREDENTIAL"),
    MCP_AUTH_TOKEN: text("MCP_AUTH_TOKEN"),
  };
}

function timeoutMs(env: UserApiEnv): number {
  const value = Number(env.USER_API_TIMEOUT_MS);
  return Number.isInteger(value) && value > 0 && value <= 60_000 ? value : DEFAULT_USER_API_TIMEOUT_MS;
}

/** USER_API_URL as a base URL ending in "/": https, or http on a loopback host only; undefined otherwise. */
function backendBase(value: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(value.endsWith("/") ? value : `${value}/`);
  } catch {
    return undefined;
  }
  const allowed = url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
  return allowed && !url.username && !url.password ? url : undefined;
}

/** Rejects as soon as `signal` aborts, whether or not the underlying fetch honours it. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Asks the user backend whose `credential` this is (`GET /me`, `Authorization: Bearer`), through
 * the USER_API binding when bound, else USER_API_URL. Every outcome is a value: the user, or a
 * failure with a message a person can act on that never contains the credential or the backend's body.
 */
export async function lookUpUser(env: UserApiEnv, credential: string, signal?: AbortSignal): Promise<UserLookup> {
  let url: URL;
  let send: (request: Request) => Promise<Response>;
  if (env.USER_API) {
    const binding = env.USER_API;
    url = new URL("me", BINDING_BASE);
    send = (request) => binding.fetch(request);
  } else if (env.USER_API_URL && /^https?:\/\//.test(env.USER_API_URL)) {
    const base = backendBase(env.USER_API_URL);
    if (!base) {
      return fail(
        "not_configured",
        "USER_API_URL must be an https URL (plain http only on a loopback host): the credential would otherwise cross the network in cleartext.",
      );
    }
    url = new URL("me", base);
    send = (request) => fetch(request);
  } else {
    return fail("not_configured", "The user backend is not configured on this server: bind USER_API or set USER_API_URL.");
  }
  const limit = timeoutMs(env);
  const timeout = AbortSignal.timeout(limit);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let response: Response;
  try {
    // A client span with a traceparent of the same trace; the credential is a header, never an attribute.
    const call = tracedCall("GET /me", { method: "GET", url }, (trace) =>
      send(
        new Request(url, {
          headers: { ...trace, Authorization: `Bearer ${credential}`, Accept: "application/json" },
          // A redirect would carry the credential to wherever it points: never followed.
          redirect: "manual",
          signal: combined,
        }),
      ),
    );
    response = await abortable(call, combined);
  } catch {
    if (timeout.aborted) return fail("timeout", `The user backend did not answer within ${limit / 1000} s; try again later.`);
    if (signal?.aborted) return fail("cancelled", "The request to the user backend was cancelled.");
    return fail("unavailable", "The user backend could not be reached; try again later.");
  }
  const status = response.status;
  if (status === 200) {
    const body = await abortable(response.json(), combined).catch(() => undefined);
    const user = User.safeParse(body);
    return user.success
      ? { ok: true, user: user.data }
      : fail("bad_response", "The user backend answered with something that is not a user.");
  }
  await response.body?.cancel().catch(() => {});
  if (status === 401 || status === 403) {
    return fail("unauthorized", `The user backend rejected the credential (HTTP ${status}): it is unknown, expired or revoked.`);
  }
  if (status === 404) return fail("not_found", "The user backend has no user for this credential (HTTP 404).");
  if (status >= 300 && status < 400) {
    return fail(
      "bad_response",
      `The user backend answered with a redirect (HTTP ${status}), which this server does not follow with a credential.`,
    );
  }
  if (status >= 500) return fail("unavailable", `The user backend failed (HTTP ${status}); try again later.`);
  return fail("bad_response", `The user backend answered HTTP ${status}, which this server does not expect.`);
}

/**
 * For bearer validation by the backend: the user a token belongs to, `null` when the backend says
 * it belongs to no one, and an exception when the backend cannot answer (the server then says 503).
 */
export async function userForCredential(env: unknown, credential: string): Promise<User | null> {
  const result = await lookUpUser(userApiEnv(env), credential);
  if (result.ok) return result.user;
  if (result.failure === "unauthorized" || result.failure === "not_found") return null;
  throw new Error(`user backend ${result.failure}: ${result.message}`);
}

/** The credential get_user_data presents to the backend for this caller, or why there is none. */
function backendCredential(props: BearerProps, env: UserApiEnv): { ok: true; credential: string } | { ok: false; message: string } {
  // A user's own backend token is the right credential for their own data.
  if (props.kind === "user-token") return { ok: true, credential: props.token };
  if (env.BACKEND_CREDENTIAL === "server") {
    return env.MCP_AUTH_TOKEN
      ? { ok: true, credential: env.MCP_AUTH_TOKEN }
      : { ok: false, message: 'BACKEND_CREDENTIAL is "server" but the MCP_AUTH_TOKEN secret is not set; ask the operator to set it.' };
  }
  // An API key is this server's credential: passing it on to another service would leak it.
  return {
    ok: false,
    message:
      'You authenticated with an API key, which is not sent to the user backend. The operator can set BACKEND_CREDENTIAL="server" and the MCP_AUTH_TOKEN secret, or you can connect with your user-backend token.',
  };
}

export const getUserData = defineTool({
  name: "get_user_data",
  title: "Get my user profile",
  description: "Returns the name, email and role of the user the connection's credential belongs to, as the user backend reports them.",
  inputSchema: z.object({}),
  outputSchema: User,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true, destructiveHint: false },
  scopes: [TOOLS_SCOPE],
  ui: { resourceUri: PROFILE_UI_URI },
  handler: async (_args, ctx) => {
    const props = BearerProps.safeParse(ctx.props);
    if (!props.success) return toolError("get_user_data needs a bearer-authenticated connection; this one has no credential.");
    const env = userApiEnv(ctx.env);
    const credential = backendCredential(props.data, env);
    if (!credential.ok) return toolError(credential.message);
    const result = await lookUpUser(env, credential.credential, ctx.signal);
    if (!result.ok) return toolError(result.message);
    const { user } = result;
    return toolResult(user, `${user.name} <${user.email}>, role: ${user.role} (user ${user.id})`);
  },
});
