import {
  OAuthAuthorizationServer,
  OAuthError,
  type OAuthErrorInternal,
  type OAuthHelpers,
  OAuthProvider,
  OAuthResourceServer,
} from "@cloudflare/workers-oauth-provider";
import { annotate, type Caller, log } from "@repo/mcp-core";
import type * as z from "zod";
import type { AuthStyle } from "./app.js";
import { applyDocumentPolicy, policeProviderFetches } from "./cimd.js";
import { declaredScopes } from "./definition.js";
import { jsonRpcError } from "./jsonrpc.js";
import { parseOrigins, urlOf, withCors } from "./origin.js";
import { MCP_PATH, SSE_PATH } from "./paths.js";
import { type AppEnv, servedOrigin } from "./pipeline.js";
import { ipKey, OAUTH_LIMITED_PATHS, tooManyRequests, withinLimit } from "./ratelimit.js";
import { guardRefresh, refreshRetryWindow } from "./refresh-reuse.js";
import { boundedRegistration } from "./registration.js";
import { cachingValidator, evictingKv, TokenCache, type TokenValidation, tokenCacheTtlMs } from "./token-cache.js";

/** What an OAuth app's sign-in handler sees: the app's env plus the provider's helpers. */
export type AuthHandlerEnv<Env> = Env & { OAUTH_PROVIDER: OAuthHelpers };

/** An identity style for OAuth apps: the page that signs users in, and the props it stores on grants. */
export interface OAuthIdentity<Props, Env> {
  /** Serves /authorize (and any callback) for the provider; reaches it through env.OAUTH_PROVIDER. */
  handler: { fetch(request: Request, env: AuthHandlerEnv<Env>, ctx: ExecutionContext): Response | Promise<Response> };
  /** Validates the grant props at the boundary, once per request. */
  props: z.ZodType<Props>;
  userId(props: Props): string;
  /** Shown on the landing page. */
  label: string;
}

export interface OAuthOptions<Props, Env> {
  identity: OAuthIdentity<Props, Env>;
  /** Every scope the server can grant; `required` are what any access needs. */
  scopes: { supported: readonly string[]; required: readonly string[] };
  /** Access-token lifetime in seconds (default 1 hour). */
  accessTokenTTL?: number;
}

/** Configuration an OAuth app reads from its wrangler vars, beyond AppEnv. */
export interface OAuthAppEnv extends AppEnv {
  OAUTH_KV: KVNamespace;
  /** Seconds a successful token validation is reused in an isolate (default 30, at most 60, 0 = off); see token-cache.ts. */
  TOKEN_CACHE_TTL_SECONDS?: string;
  /** Seconds a rotated-out refresh token may be retried once (default 60, at most 300, 0 = never); see refresh-reuse.ts. */
  REFRESH_RETRY_WINDOW_SECONDS?: string;
}

/** Pages of a user's grants read before a task's grant is taken to stand (the provider lists 100 or so a page). */
const MAX_GRANT_PAGES = 10;

/** What the provider's resource server records on the context it hands a verified request's handler. */
interface VerifiedGrant {
  props?: unknown;
  auth?: { clientId?: string; userId?: string; scope: string[]; token: string };
}

/**
 * The grant a verified access token belongs to, as `userId:grantId` (the provider's user id, which
 * lists the user's grants). workers-oauth-provider issues tokens as `userId:grantId:secret` (its
 * own revocation and unwrapToken read them so); anything else, or a user part that is not the
 * verified user, names no grant.
 */
export function grantOf(auth: { userId?: string; token: string }): string | undefined {
  const [userId, grantId, secret, ...rest] = auth.token.split(":");
  return rest.length === 0 && secret && grantId && userId === auth.userId ? `${userId}:${grantId}` : undefined;
}

/** The Client ID Metadata Document behind a provider error, and why it was not usable. */
function unusableDocument(internal: OAuthErrorInternal): { url: string; reason: string } | undefined {
  if (internal.category !== "client-id-metadata-document") return undefined;
  const detail = (internal.detail ?? {}) as { metadataUrl?: unknown; message?: unknown };
  if (typeof detail.metadataUrl !== "string") return undefined;
  return { url: detail.metadataUrl, reason: typeof detail.message === "string" ? detail.message : internal.reason };
}

/** The resource server's handler runs only for a verified token; the pipeline, not this response, serves the request. */
const VERIFIED = { fetch: async () => new Response(null, { status: 204 }) };

/**
 * The server is its own OAuth 2.1 authorization server (workers-oauth-provider): discovery,
 * dynamic registration, PKCE S256, refresh rotation, revocation, and tokens bound to the origin
 * they were issued for. `identity` signs users in (mock page, GitHub).
 */
export function oauth<Props, Env extends OAuthAppEnv>(options: OAuthOptions<Props, Env>): AuthStyle<Env> {
  return (server) => {
    const unsupported = declaredScopes(server).filter((scope) => !options.scopes.supported.includes(scope));
    if (unsupported.length > 0) {
      // A tool no token could ever be granted the scope for is a configuration mistake, found at startup.
      throw new TypeError(`${server.name}: scopes.supported lacks ${unsupported.join(", ")}, which its tools require`);
    }
    const app = server.name;
    const { identity } = options;
    const endpoints = { authorizeEndpoint: "/authorize", tokenEndpoint: "/token", clientRegistrationEndpoint: "/register" };
    const common = {
      ...endpoints,
      scopesSupported: [...options.scopes.supported],
      accessTokenTTL: options.accessTokenTTL ?? 3600,
      // Clients may identify with a Client ID Metadata Document (cimd.ts narrows its fetch); dynamic
      // registration stays for the clients that still use it (MCP Inspector, mcp-remote).
      clientIdMetadataDocumentEnabled: true,
    };
    policeProviderFetches();
    const resourceName = server.title ?? server.name;

    // Validations of access tokens, reused for a few seconds per isolate (bound: token-cache.ts).
    let tokenCache: TokenCache | undefined;
    const cacheFor = (env: Env) => {
      tokenCache ??= new TokenCache({ ttlMs: tokenCacheTtlMs(env.TOKEN_CACHE_TTL_SECONDS) });
      return tokenCache;
    };
    const kvs = new WeakMap<KVNamespace, KVNamespace>();
    /** env for the provider: OAUTH_KV deletes (revocations in this isolate) evict the token cache. */
    const providerEnv = (env: Env): Env => {
      let kv = kvs.get(env.OAUTH_KV);
      if (!kv) {
        kv = evictingKv(env.OAUTH_KV, cacheFor(env));
        kvs.set(env.OAUTH_KV, kv);
      }
      // A copy per request: the provider caches its helpers on env as OAUTH_PROVIDER, and env is
      // shared by the isolate, so otherwise every origin after the first would get the first's helpers.
      return { ...env, OAUTH_KV: kv };
    };

    interface Hosts {
      provider: OAuthProvider<Env>;
      validator: OAuthAuthorizationServer<Env>;
      resource: OAuthResourceServer<Env, unknown>;
    }
    const hosts = new Map<string, Hosts>();
    const hostsFor = (origin: string): Hosts => {
      let found = hosts.get(origin);
      if (found) return found;
      const resourceMetadata = { resource: origin, authorization_servers: [origin], resource_name: resourceName };
      // The provider serves discovery, registration, /token (and revocation) and /authorize. Its
      // apiRoute is required by its constructor; /mcp and /sse are authenticated by `resource`.
      const provider = new OAuthProvider<Env>({
        ...common,
        apiRoute: [MCP_PATH, SSE_PATH],
        apiHandler: VERIFIED,
        defaultHandler: {
          fetch: (request: Request, env: Env, ctx: ExecutionContext) => identity.handler.fetch(request, env as AuthHandlerEnv<Env>, ctx),
        },
        requiredScopes: [...options.scopes.required],
        resourceMetadata,
        onError: ({ code, status, description, headers, internal }) => {
          const document = unusableDocument(internal);
          // The OAuth error code goes under `error`: a field named `code` is redacted (authorization codes).
          log({
            app,
            event: "oauth_error",
            error: code,
            status,
            description,
            ...(document && { document: document.url, reason: document.reason }),
          });
          if (!document) return undefined;
          // The provider's wire answer is a bare "Client not found"; the client's developer needs to
          // know which document failed and why (nothing in it is secret: the document is public).
          const error_description = `The client metadata document ${document.url} could not be used: ${document.reason}`;
          return Response.json({ error: code, error_description }, { status, headers });
        },
      });
      // The same token records, read through the authorization-server role: validation only.
      const validator = new OAuthAuthorizationServer<Env>({ ...common, issuer: origin, resources: [origin] });
      // /mcp and /sse: the provider's token check (record, audience, expiry, props), cached briefly.
      const resource = new OAuthResourceServer<Env, unknown>({
        resourceMetadata,
        requiredScopes: [...options.scopes.required],
        handler: VERIFIED,
        validateToken: (env) => {
          const validate = cachingValidator(
            cacheFor(env),
            (audience, token) => validator.validateToken(audience, token, env) as Promise<TokenValidation | null>,
          );
          return async (audience, token) => {
            const validation = await validate(audience, token);
            if (validation) return validation;
            // The same answer and log line as the provider's own check gives an invalid token.
            log({ app, event: "oauth_error", error: "invalid_token", status: 401, description: "Invalid access token" });
            throw new OAuthError("invalid_token", { description: "Invalid access token", statusCode: 401 });
          };
        },
      });
      found = { provider, validator, resource };
      hosts.set(origin, found);
      return found;
    };
    // guarded() has already refused requests for origins this deployment does not serve.
    const originOf = (request: Request, env: Env) => servedOrigin(request, env) ?? urlOf(request).origin;

    return {
      get label() {
        return identity.label;
      },
      props: identity.props,
      async authenticate(request, env) {
        const grant: VerifiedGrant = {};
        // The resource server verifies the token and records the grant on the context it is given;
        // a fresh object per request, since nothing else of the ExecutionContext is used there.
        const refused = await hostsFor(originOf(request, env)).resource.fetch(request, providerEnv(env), grant as ExecutionContext);
        if (grant.auth === undefined) return refused;
        const parsed = identity.props.safeParse(grant.props);
        if (!parsed.success) {
          // A grant written by another app or version: refuse rather than guess.
          log({ app, event: "bad_grant_props", clientId: grant.auth.clientId });
          const response = jsonRpcError(
            401,
            -32000,
            "Unauthorized: the grant behind this token is not valid for this server; sign in again.",
            {
              "WWW-Authenticate": 'Bearer error="invalid_token"',
            },
          );
          return withCors(response, request);
        }
        const caller: Caller<Props> = {
          props: parsed.data,
          scopes: grant.auth.scope,
          clientId: grant.auth.clientId,
          userId: identity.userId(parsed.data),
          grantId: grantOf(grant.auth),
        };
        return { caller, request };
      },
      async grantStands(env, caller) {
        if (caller.grantId === undefined) return true;
        const split = caller.grantId.lastIndexOf(":");
        const [userId, grantId] = [caller.grantId.slice(0, split), caller.grantId.slice(split + 1)];
        // Any served origin's authorization server reads the same grant records.
        const origin = parseOrigins(env.PUBLIC_ORIGINS)[0] ?? "http://localhost";
        const api = hostsFor(origin).validator.getOAuthApi(providerEnv(env));
        let cursor: string | undefined;
        for (let page = 0; page < MAX_GRANT_PAGES; page++) {
          const grants = await api.listUserGrants(userId, { ...(cursor && { cursor }) });
          if (grants.items.some((grant) => grant.id === grantId)) return true;
          cursor = grants.cursor;
          if (!cursor) return false;
        }
        // A user with more grants than this is not one this server made; keep the task rather than guess.
        return true;
      },
      async route(request, env, ctx) {
        const path = urlOf(request).pathname;
        applyDocumentPolicy(env);
        if (
          OAUTH_LIMITED_PATHS.has(path) &&
          request.method !== "OPTIONS" &&
          !(await withinLimit(env, "OAUTH_RATE_LIMITER", `${path}|${ipKey(request)}`))
        ) {
          annotate({ outcome: "rate_limited" });
          return withCors(tooManyRequests("oauth"), request);
        }
        const { provider, validator } = hostsFor(originOf(request, env));
        const forProvider = providerEnv(env);
        if (path === "/register" && request.method === "POST") {
          const bounded = await boundedRegistration(request);
          return bounded instanceof Response ? withCors(bounded, request) : provider.fetch(bounded, forProvider, ctx);
        }
        if (path !== "/token" || request.method !== "POST") return provider.fetch(request, forProvider, ctx);
        return guardRefresh(
          request,
          forProvider.OAUTH_KV,
          refreshRetryWindow(env.REFRESH_RETRY_WINDOW_SECONDS),
          { app, revokeGrant: (grantId, userId) => validator.getOAuthApi(forProvider).revokeGrant(grantId, userId) },
          (forwarded) => provider.fetch(forwarded, forProvider, ctx),
        );
      },
    };
  };
}
