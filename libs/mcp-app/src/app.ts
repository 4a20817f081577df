import {
  OAuthAuthorizationServer,
  OAuthError,
  type OAuthHelpers,
  OAuthProvider,
  type OAuthResourceContext,
  OAuthResourceServer,
} from "@cloudflare/workers-oauth-provider";
import {
  annotate,
  anonymous,
  type Caller,
  describeError,
  isLoopbackHost,
  type LogFields,
  log,
  setQuiet,
  withRequestFields,
} from "@repo/mcp-core";
import type * as z from "zod";
import { jsonRpcError } from "./jsonrpc.js";
import { type LandingOptions, landingPage } from "./landing.js";
import { originAllowed, parseOrigins, preflight, urlOf, withCors } from "./origin.js";
import { clientIp, OAUTH_LIMITED_PATHS, type RateLimitEnv, tooManyRequests, withinLimit } from "./ratelimit.js";
import { declaredScopes, type ServerDefinition } from "./server.js";
import { createSseSessionClass, routeSse, type SseEnv } from "./sse.js";
import { createStreamableHttpHandler } from "./streamable.js";
import { cachingValidator, evictingKv, TokenCache, type TokenValidation, tokenCacheTtlMs } from "./token-cache.js";

/** Configuration every app reads from its wrangler vars. */
export interface AppEnv extends SseEnv, RateLimitEnv {
  /** Origins this deployment is served at (comma-separated). Unset: loopback only, for `wrangler dev`. */
  PUBLIC_ORIGINS?: string;
  /** Extra browser origins allowed to call /mcp and /sse (custom domains, hosted inspectors). */
  ALLOWED_ORIGINS?: string;
  /** "true" turns off the one-line-per-request log (benchmarks, load tests). */
  QUIET_LOGS?: string;
}

export type Handler<Env> = (request: Request, env: Env, ctx: ExecutionContext) => Promise<Response>;

export const isTransportPath = (path: string) => path === "/mcp" || path === "/sse" || path.startsWith("/sse/");

/**
 * The origin this request was addressed to, if this deployment serves it: one of PUBLIC_ORIGINS,
 * or, when none are configured, any loopback origin (so both localhost and 127.0.0.1 work in dev).
 */
export function servedOrigin(request: Request, env: AppEnv): string | undefined {
  const url = urlOf(request);
  const configured = parseOrigins(env.PUBLIC_ORIGINS);
  if (configured.length > 0) return configured.includes(url.origin) ? url.origin : undefined;
  return isLoopbackHost(url.hostname) ? url.origin : undefined;
}

/** The rate-limit key of an MCP caller: its client and user, or its IP when it is anonymous. */
function mcpRateLimitKey(request: Request, caller: Caller): string {
  if (caller.clientId === undefined && caller.userId === undefined) return `ip:${clientIp(request)}`;
  return `client:${caller.clientId ?? ""}|user:${caller.userId ?? ""}`;
}

/** Routes /mcp and /sse for a caller, after the Origin check; everything MCP an app serves. */
export function transportRoutes<Env extends AppEnv>(definition: ServerDefinition) {
  const streamable = createStreamableHttpHandler(definition);
  return async (request: Request, env: Env, caller: Caller): Promise<Response> => {
    annotate({ clientId: caller.clientId, userId: caller.userId });
    if (!(await withinLimit(env, "MCP_RATE_LIMITER", mcpRateLimitKey(request, caller)))) {
      annotate({ outcome: "rate_limited" });
      await request.body?.cancel().catch(() => {});
      return withCors(tooManyRequests("mcp"), request);
    }
    const path = urlOf(request).pathname;
    const response = path === "/mcp" ? await streamable(request, caller, env) : await routeSse(request, env, caller);
    // Past the Origin check and authentication, a 403 is a scope refusal (SDK challenge or SSE check).
    if (response.status === 403) annotate({ outcome: "insufficient_scope" });
    return withCors(response, request);
  };
}

/**
 * Wraps a Worker so every transport request passes the Origin check first; logs one line per
 * request (app, route, status, latency, and the client, user, tool and outcome where known).
 */
export function guarded<Env extends AppEnv>(next: Handler<Env>, app: string): Handler<Env> {
  return (request, env, ctx) => {
    const fields: LogFields = {};
    return withRequestFields(fields, () => serveGuarded(next, app, fields, request, env, ctx));
  };
}

async function serveGuarded<Env extends AppEnv>(
  next: Handler<Env>,
  app: string,
  fields: LogFields,
  request: Request,
  env: Env,
  ctx: ExecutionContext,
): Promise<Response> {
  const started = Date.now();
  if (env.QUIET_LOGS === "true") setQuiet(true);
  const url = urlOf(request);
  let response: Response;
  if (isTransportPath(url.pathname) && !originAllowed(request, parseOrigins(env.ALLOWED_ORIGINS))) {
    response = jsonRpcError(403, -32000, "Forbidden: this Origin may not call the MCP endpoint");
  } else if (isTransportPath(url.pathname) && request.method === "OPTIONS") {
    response = preflight(request);
  } else if (!servedOrigin(request, env)) {
    response = new Response("Misdirected Request: this host is not one of the server's configured PUBLIC_ORIGINS.\n", { status: 421 });
  } else {
    try {
      response = await next(request, env, ctx);
    } catch (error) {
      log({ app, event: "unhandled", route: url.pathname, error: describeError(error) });
      response = new Response("Internal Server Error\n", { status: 500, headers: { "Content-Type": "text/plain" } });
    }
  }
  log({ app, method: request.method, route: url.pathname, ...fields, status: response.status, ms: Date.now() - started });
  return response;
}

export interface PublicAppOptions {
  server: ServerDefinition;
  landing?: Partial<LandingOptions>;
}

/** A public MCP server: no auth, Origin checks, /mcp, /sse and a landing page. */
export function createPublicMcpApp<Env extends AppEnv = AppEnv>(options: PublicAppOptions) {
  const routes = transportRoutes<Env>(options.server);
  const landing = { auth: "none (public)", ...options.landing };
  const fetch = guarded<Env>(async (request, env) => {
    const url = urlOf(request);
    if (isTransportPath(url.pathname)) return routes(request, env, anonymous);
    if (url.pathname === "/" && request.method === "GET") return landingPage(options.server, url.origin, landing);
    return new Response("Not Found\n", { status: 404 });
  }, options.server.name);
  return { worker: { fetch } satisfies ExportedHandler<Env>, McpSseSession: createSseSessionClass(options.server) };
}

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

export interface OAuthAppOptions<Props, Env> {
  server: ServerDefinition;
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
}

/**
 * An MCP server that is its own OAuth 2.1 authorization server (workers-oauth-provider):
 * discovery, dynamic registration, PKCE S256, refresh rotation, revocation, and tokens bound
 * to the origin they were issued for.
 */
export function createOAuthMcpApp<Props, Env extends AppEnv & { OAUTH_KV: KVNamespace }>(options: OAuthAppOptions<Props, Env>) {
  const unsupported = declaredScopes(options.server).filter((scope) => !options.scopes.supported.includes(scope));
  if (unsupported.length > 0) {
    // A tool no token could ever be granted the scope for is a configuration mistake, found at startup.
    throw new TypeError(`${options.server.name}: scopes.supported lacks ${unsupported.join(", ")}, which its tools require`);
  }
  const routes = transportRoutes<Env>(options.server);
  const app = options.server.name;
  const apiHandler = {
    async fetch(request: Request, env: Env, executionContext: ExecutionContext): Promise<Response> {
      // The provider has verified the token (audience, expiry, revocation) and set props and auth.
      const ctx = executionContext as OAuthResourceContext<unknown>;
      const parsed = options.identity.props.safeParse(ctx.props);
      if (!parsed.success) {
        // A grant written by another app or version: refuse rather than guess.
        log({ app, event: "bad_grant_props", clientId: ctx.auth.clientId });
        return jsonRpcError(401, -32000, "Unauthorized: the grant behind this token is not valid for this server; sign in again.", {
          "WWW-Authenticate": 'Bearer error="invalid_token"',
        });
      }
      const caller: Caller<Props> = {
        props: parsed.data,
        scopes: ctx.auth.scope,
        clientId: ctx.auth.clientId,
        userId: options.identity.userId(parsed.data),
      };
      return routes(request, env, caller);
    },
  };
  const defaultHandler = {
    async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
      const url = urlOf(request);
      if (url.pathname === "/" && request.method === "GET") {
        return landingPage(options.server, url.origin, { auth: options.identity.label });
      }
      return options.identity.handler.fetch(request, env as AuthHandlerEnv<Env>, ctx);
    },
  };
  // Validations of access tokens, reused for a few seconds per isolate (bound: token-cache.ts).
  let tokenCache: TokenCache | undefined;
  const cacheFor = (env: Env) => {
    tokenCache ??= new TokenCache({ ttlMs: tokenCacheTtlMs((env as OAuthAppEnv).TOKEN_CACHE_TTL_SECONDS) });
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
    resource: OAuthResourceServer<Env, unknown>;
  }
  const hosts = new Map<string, Hosts>();
  const hostsFor = (origin: string): Hosts => {
    let found = hosts.get(origin);
    if (!found) {
      const resource_name = options.server.title ?? options.server.name;
      // The provider serves discovery, registration, /token (and revocation) and /authorize. Its
      // apiRoute is required by its constructor; /mcp and /sse are routed to `resource` below.
      const provider = new OAuthProvider<Env>({
        apiRoute: ["/mcp", "/sse"],
        apiHandler,
        defaultHandler,
        authorizeEndpoint: "/authorize",
        tokenEndpoint: "/token",
        clientRegistrationEndpoint: "/register",
        scopesSupported: [...options.scopes.supported],
        requiredScopes: [...options.scopes.required],
        accessTokenTTL: options.accessTokenTTL ?? 3600,
        resourceMetadata: { resource: origin, authorization_servers: [origin], resource_name },
        onError: ({ code, status, description }) => log({ app, event: "oauth_error", code, status, description }),
      });
      // The same token records, read through the authorization-server role: validation only.
      const validator = new OAuthAuthorizationServer<Env>({
        issuer: origin,
        resources: [origin],
        authorizeEndpoint: "/authorize",
        tokenEndpoint: "/token",
        clientRegistrationEndpoint: "/register",
        scopesSupported: [...options.scopes.supported],
        accessTokenTTL: options.accessTokenTTL ?? 3600,
      });
      // /mcp and /sse: the provider's token check (record, audience, expiry, props), cached briefly.
      const resource = new OAuthResourceServer<Env, unknown>({
        resourceMetadata: { resource: origin, authorization_servers: [origin], resource_name },
        requiredScopes: [...options.scopes.required],
        handler: apiHandler,
        validateToken: (env) => {
          const validate = cachingValidator(
            cacheFor(env),
            (audience, token) => validator.validateToken(audience, token, env) as Promise<TokenValidation | null>,
          );
          return async (audience, token) => {
            const validation = await validate(audience, token);
            if (validation) return validation;
            // The same answer and log line as the provider's own check gives an invalid token.
            log({ app, event: "oauth_error", code: "invalid_token", status: 401, description: "Invalid access token" });
            throw new OAuthError("invalid_token", { description: "Invalid access token", statusCode: 401 });
          };
        },
      });
      found = { provider, resource };
      hosts.set(origin, found);
    }
    return found;
  };
  const fetch = guarded<Env>(async (request, env, ctx) => {
    // guarded() has already refused requests for origins this deployment does not serve.
    const origin = servedOrigin(request, env) as string;
    const path = urlOf(request).pathname;
    if (
      OAUTH_LIMITED_PATHS.has(path) &&
      request.method !== "OPTIONS" &&
      !(await withinLimit(env, "OAUTH_RATE_LIMITER", `${path}|ip:${clientIp(request)}`))
    ) {
      annotate({ outcome: "rate_limited" });
      return withCors(tooManyRequests("oauth"), request);
    }
    const { provider, resource } = hostsFor(origin);
    if (isTransportPath(path)) return resource.fetch(request, providerEnv(env), ctx);
    return provider.fetch(request, providerEnv(env), ctx);
  }, app);
  return { worker: { fetch } satisfies ExportedHandler<Env>, McpSseSession: createSseSessionClass(options.server) };
}
