import {
  annotate,
  type Caller,
  describeError,
  exportTrace,
  isLoopbackHost,
  type LogFields,
  log,
  type OtlpConfig,
  RequestTrace,
  setLogFormat,
  setQuiet,
  withRequestFields,
} from "@repo/mcp-core";
import type { ServerDefinition } from "./definition.js";
import { jsonRpcError } from "./jsonrpc.js";
import { originAllowed, parseOrigins, preflight, urlOf, withCors } from "./origin.js";
import { isTransportPath, MCP_PATH } from "./paths.js";
import { ipKey, type RateLimitEnv, tooManyRequests, withinLimit } from "./ratelimit.js";
import { createSseRoute, type SseEnv } from "./sse.js";
import { createStreamableHttpHandler } from "./streamable.js";

/**
 * The one request pipeline every app runs, whatever its auth style:
 *
 *   Origin/Host (guarded) → per-network limit (preAuthLimit) → authenticate (the app's McpAuth)
 *   → per-caller limit → classify → scope gate
 *   → dispatch (/mcp or /sse) → respond
 *
 * `guarded` holds the Origin/Host checks and the request's log line, `preAuthLimit` the budget
 * every request spends before anyone is known, `transportRoutes` the stages after authentication. Classification and the scope gate run inside each transport's route, on
 * the body it reads once (message.ts, scope-gate.ts).
 */

/** Configuration every app reads from its wrangler vars. */
export interface AppEnv extends SseEnv, RateLimitEnv, OtlpConfig {
  /** Origins this deployment is served at (comma-separated). Unset: loopback only, for `wrangler dev`. */
  PUBLIC_ORIGINS?: string;
  /** Extra browser origins allowed to call /mcp and /sse (custom domains, hosted inspectors). */
  ALLOWED_ORIGINS?: string;
  /** "true" turns off the one-line-per-request log (benchmarks, load tests). */
  QUIET_LOGS?: string;
  /** "pretty": one readable line per request (local dev); otherwise JSON lines, for Workers Logs. */
  LOG_FORMAT?: string;
}

export type Handler<Env> = (request: Request, env: Env, ctx: ExecutionContext) => Promise<Response>;

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
  if (caller.clientId === undefined && caller.userId === undefined) return ipKey(request);
  return `client:${caller.clientId ?? ""}|user:${caller.userId ?? ""}`;
}

/**
 * The stage before authentication: every transport request counts against its network's budget,
 * so a flood of bad credentials is bounded before a single token is looked up. undefined: go on.
 */
export async function preAuthLimit(request: Request, env: RateLimitEnv): Promise<Response | undefined> {
  if (await withinLimit(env, "PREAUTH_RATE_LIMITER", ipKey(request))) return undefined;
  annotate({ outcome: "rate_limited" });
  await request.body?.cancel().catch(() => {});
  return withCors(tooManyRequests("mcp"), request);
}

/** The stages after authentication: the caller's rate limit, then /mcp or /sse. */
export function transportRoutes<Env extends AppEnv>(definition: ServerDefinition) {
  const streamable = createStreamableHttpHandler(definition);
  const sse = createSseRoute(definition);
  return async (request: Request, env: Env, caller: Caller): Promise<Response> => {
    annotate({ clientId: caller.clientId, userId: caller.userId });
    if (!(await withinLimit(env, "MCP_RATE_LIMITER", mcpRateLimitKey(request, caller)))) {
      annotate({ outcome: "rate_limited" });
      await request.body?.cancel().catch(() => {});
      return withCors(tooManyRequests("mcp"), request);
    }
    const path = urlOf(request).pathname;
    const response = path === MCP_PATH ? await streamable(request, caller, env) : await sse(request, env, caller);
    return withCors(response, request);
  };
}

/**
 * Wraps a Worker so every transport request passes the Origin check first, and every request for
 * a host this deployment does not serve is refused; logs one line per request (app, route,
 * status, latency, and the client, user, tool and outcome where known) under the request's trace
 * (the caller's `traceparent` header when valid, else a new one; a message's `_meta` may replace
 * it, see RequestTrace.adopt), whose spans go to the configured OTLP endpoint after the response.
 */
export function guarded<Env extends AppEnv>(next: Handler<Env>, app: string): Handler<Env> {
  return async (request, env, ctx) => {
    const fields: LogFields = {};
    const route = urlOf(request).pathname;
    const trace = new RequestTrace(
      `${request.method} ${route.slice(0, 64)}`,
      request.headers.get("traceparent"),
      request.headers.get("tracestate"),
    );
    const response = await withRequestFields(fields, () => serveGuarded(next, app, fields, request, env, ctx), trace);
    Object.assign(trace.root.attributes, rootAttributes(request.method, route, fields));
    exportTrace(trace, response.status, env, app, ctx);
    return response;
  };
}

/** The root span's attributes: what the log line says, minus the user (spans leave the account). */
function rootAttributes(method: string, route: string, fields: LogFields) {
  const attributes: Record<string, string | number> = { "http.request.method": method, "url.path": route };
  if (typeof fields.tool === "string") attributes["gen_ai.tool.name"] = fields.tool;
  if (typeof fields.outcome === "string") attributes["mcp.outcome"] = fields.outcome;
  if (typeof fields.clientId === "string") attributes["mcp.client.id"] = fields.clientId;
  return attributes;
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
  setLogFormat(env.LOG_FORMAT);
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
