import { BearerProps, type Caller, describeError, log, type TokenValidator, type ValidatedToken } from "@repo/mcp-core";
import type { AuthStyle } from "./app.js";
import { declaredScopes } from "./definition.js";
import { jsonRpcError } from "./jsonrpc.js";
import { preflight, urlOf, withCors } from "./origin.js";
import { PROTECTED_RESOURCE_METADATA_PATH } from "./paths.js";
import type { AppEnv } from "./pipeline.js";

/** The query parameter that carries a token when ALLOW_QUERY_TOKEN is "true". */
export const QUERY_TOKEN_PARAM = "auth_token";
/** Longer tokens are refused before hashing; no real API key or session token comes near it. */
export const MAX_TOKEN_LENGTH = 4096;
// RFC 6750 §2.1 b64token (token68): what a bearer token may consist of.
const TOKEN68 = /^[A-Za-z0-9._~+/-]+=*$/;

/** Configuration a bearer app reads from its wrangler vars. */
export interface BearerAppEnv extends AppEnv {
  /** Which of the app's validators checks tokens; default: the first one the app lists. */
  BEARER_VALIDATOR?: string;
  /** "true" also accepts `?auth_token=` (for clients that cannot set headers). Off by default. */
  ALLOW_QUERY_TOKEN?: string;
}

export type BearerCredential =
  | { kind: "token"; token: string; source: "header" | "query" }
  | { kind: "missing" }
  | { kind: "malformed"; message: string };

const malformed = (message: string): BearerCredential => ({ kind: "malformed", message });

function checkToken(token: string, source: "header" | "query"): BearerCredential {
  const where = source === "header" ? "The Bearer token" : "The auth_token parameter";
  if (token === "") return malformed(`${where} is empty.`);
  if (/\s/.test(token)) return malformed(`${where} must be a single value without spaces.`);
  if (token.length > MAX_TOKEN_LENGTH) return malformed(`${where} is longer than ${MAX_TOKEN_LENGTH} characters.`);
  if (!TOKEN68.test(token)) {
    return malformed(`${where} contains characters a token may not have (allowed: letters, digits, - . _ ~ + / and trailing =).`);
  }
  return { kind: "token", token, source };
}

/**
 * Reads the caller's token the way hono's bearer-auth does, plus an opt-in query parameter:
 * - no Authorization header (and no `auth_token`): missing, answered 401 with a challenge;
 * - `Authorization: Bearer <token68>` (scheme case-insensitive, one or more spaces): the token;
 * - any other Authorization value (another scheme, an empty value or token, extra parts, characters
 *   outside token68): malformed, answered 400 `invalid_request`. Unlike hono, an empty header is
 *   malformed rather than missing: a client that sends one meant to authenticate;
 * - `?auth_token=` only when allowed, only once, and never together with the header (RFC 6750 §2).
 */
export function readBearerCredential(request: Request, allowQueryToken: boolean): BearerCredential {
  const header = request.headers.get("authorization");
  const queryTokens = urlOf(request).searchParams.getAll(QUERY_TOKEN_PARAM);
  if (queryTokens.length > 0) {
    if (!allowQueryToken) {
      return malformed(
        "Tokens in the query string (?auth_token=) are turned off on this server; send the token in the Authorization: Bearer header.",
      );
    }
    if (header !== null)
      return malformed("Send the token in one place only: this request has both an Authorization header and ?auth_token=.");
    if (queryTokens.length > 1) return malformed("Send ?auth_token= only once.");
    return checkToken(queryTokens[0] as string, "query");
  }
  if (header === null) return { kind: "missing" };
  const value = header.trim();
  if (value === "") return malformed("The Authorization header is empty; send Authorization: Bearer <token>.");
  const match = /^(\S+)(?: +(.*))?$/s.exec(value);
  if (!match) return malformed("The Authorization header must be of the form: Bearer <token>.");
  if ((match[1] as string).toLowerCase() !== "bearer") {
    return malformed("This server accepts only the Bearer scheme: send Authorization: Bearer <token>.");
  }
  return checkToken(match[2] ?? "", "header");
}

/** RFC 9728 metadata for a resource whose tokens are issued out of band (API keys, backend tokens). */
export function protectedResourceMetadata(origin: string, name: string, allowQueryToken: boolean, scopes: readonly string[] = []) {
  return {
    resource: origin,
    bearer_methods_supported: allowQueryToken ? ["header", "query"] : ["header"],
    ...(scopes.length > 0 && { scopes_supported: [...scopes] }),
    resource_name: name,
  };
}

/** A Bearer challenge (RFC 6750 §3) that names the metadata (RFC 9728 §5.1). */
function challenge(origin: string, status: 400 | 401, message: string, error?: "invalid_request" | "invalid_token"): Response {
  const params = [
    ...(error ? [`error="${error}"`] : []),
    // The descriptions are this module's own constant texts: no quotes, nothing from the request.
    ...(error ? [`error_description="${message.replace(/["\\]/g, "'")}"`] : []),
    `resource_metadata="${origin}${PROTECTED_RESOURCE_METADATA_PATH}"`,
  ];
  return jsonRpcError(status, -32000, `${status === 400 ? "Bad Request" : "Unauthorized"}: ${message}`, {
    "WWW-Authenticate": `Bearer ${params.join(", ")}`,
    "Cache-Control": "no-store",
  });
}

/** A copy of the request without the query token, so nothing downstream can log or forward it. */
function withoutQueryToken(request: Request): Request {
  const url = new URL(request.url);
  url.searchParams.delete(QUERY_TOKEN_PARAM);
  return new Request(url, request);
}

export interface BearerOptions<Env> {
  /** The token validators this app offers, by name; env.BEARER_VALIDATOR picks one (default: the first). */
  validators: Record<string, (env: Env) => TokenValidator>;
  /**
   * Scopes of a credential its validator does not limit (a user-backend token, an API key listed
   * without `scopes`; one listed with `"scopes": []` gets none). Default: every scope the server's
   * tools declare, so such a credential may call every tool; one listed with scopes is held to exactly those.
   */
  defaultScopes?: readonly string[];
}

/**
 * Bearer tokens issued out of band, in the style of hono's bearer-auth: 401 with a challenge
 * naming the RFC 9728 metadata for a missing or invalid token, 400 for a malformed Authorization
 * header, 503 when the validator cannot decide. The caller's props (BearerProps) are built and
 * validated once here; tools never see a header.
 */
export function bearer<Env extends BearerAppEnv>(options: BearerOptions<Env>): AuthStyle<Env> {
  const validatorNames = Object.keys(options.validators);
  if (validatorNames.length === 0) throw new Error("bearer() needs at least one validator");

  function validatorFor(env: Env): { name: string; validate: TokenValidator } {
    const name = env.BEARER_VALIDATOR || (validatorNames[0] as string);
    const make = options.validators[name];
    if (!make) throw new Error(`BEARER_VALIDATOR "${name}" is not one of: ${validatorNames.join(", ")}`);
    // Throws for configuration the operator must fix (guarded() logs it and answers 500).
    return { name, validate: make(env) };
  }

  return (server) => {
    const app = server.name;
    const supportedScopes = declaredScopes(server);
    const defaultScopes = options.defaultScopes ?? supportedScopes;
    return {
      label: "Bearer token",
      props: BearerProps,
      async authenticate(request, env) {
        // guarded() has refused hosts this deployment does not serve, so the origin is ours.
        const origin = urlOf(request).origin;
        const deny = (response: Response) => withCors(response, request);
        const credential = readBearerCredential(request, env.ALLOW_QUERY_TOKEN === "true");
        if (credential.kind === "missing") return deny(challenge(origin, 401, "send Authorization: Bearer <token>."));
        if (credential.kind === "malformed") return deny(challenge(origin, 400, credential.message, "invalid_request"));

        const validator = validatorFor(env);
        let validated: ValidatedToken | null;
        try {
          validated = await validator.validate(credential.token);
        } catch (error) {
          log({ app, event: "bearer_validation_unavailable", validator: validator.name, error: describeError(error) });
          return deny(
            jsonRpcError(503, -32000, "Service Unavailable: the token could not be checked right now; try again shortly.", {
              "Retry-After": "5",
            }),
          );
        }
        const props =
          validated &&
          BearerProps.safeParse({
            scheme: "Bearer",
            token: credential.token,
            source: credential.source,
            kind: validated.kind,
            label: validated.label,
          });
        if (!validated || !props?.success) return deny(challenge(origin, 401, "the bearer token is not valid here.", "invalid_token"));

        const scopes = validated.scopes ?? defaultScopes;
        const caller: Caller<BearerProps> = { props: props.data, scopes, clientId: validated.label, userId: validated.label };
        return { caller, request: credential.source === "query" ? withoutQueryToken(request) : request };
      },
      async route(request, env) {
        if (urlOf(request).pathname !== PROTECTED_RESOURCE_METADATA_PATH) return undefined;
        if (request.method === "OPTIONS") return preflight(request);
        if (request.method !== "GET" && request.method !== "HEAD") {
          return new Response(null, { status: 405, headers: { Allow: "GET, HEAD" } });
        }
        const metadata = protectedResourceMetadata(
          urlOf(request).origin,
          server.title ?? app,
          env.ALLOW_QUERY_TOKEN === "true",
          supportedScopes,
        );
        return withCors(Response.json(metadata, { headers: { "Cache-Control": "max-age=300" } }), request);
      },
    };
  };
}
