import { type Caller, inSpan } from "@repo/mcp-core";
import type * as z from "zod";
import { prepare } from "./capabilities.js";
import type { ServerDefinition } from "./definition.js";
import { type LandingOptions, landingPage } from "./landing.js";
import { urlOf } from "./origin.js";
import { isTransportPath } from "./paths.js";
import { type AppEnv, guarded, preAuthLimit, transportRoutes } from "./pipeline.js";
import { createSseSessionClass } from "./sse.js";
import { createTaskRunnerClass, type GrantCheck } from "./task-runner.js";

/** A request that passed authentication: who is calling, and the request to serve (a copy without a query token, say). */
export interface Authenticated {
  caller: Caller;
  request: Request;
}

/**
 * An auth style, as the pipeline sees it. Adding one means writing this (see CONTRIBUTING.md):
 * public, OAuth and bearer are the three this lib ships.
 */
export interface McpAuth<Env> {
  /** Shown on the landing page; read per request, so it may depend on configuration. */
  readonly label: string;
  /** The schema of the props its callers carry, checked again where a caller crosses into a Durable Object. */
  readonly props: z.ZodType;
  /**
   * True when authenticating costs nothing (no credential to look up): the pre-authentication
   * budget is then skipped, since the per-network MCP limit already counts every such request.
   */
  readonly free?: boolean;
  /**
   * Who calls a transport path (/mcp, /sse, /sse/message): the caller, or the response that
   * refuses the request (401 with a challenge, 400, 503), CORS headers included.
   */
  authenticate(request: Request, env: Env, ctx: ExecutionContext): Promise<Authenticated | Response>;
  /**
   * Whether the grant a caller's credential belongs to still stands (OAuth: it was not revoked).
   * The task runner asks before it runs a task's tool and, while the tool runs, at its progress
   * reports; a task whose grant is gone is stopped and deleted. Absent: credentials have no grant.
   */
  grantStands?(env: Env, caller: Caller): Promise<boolean>;
  /** The style's own routes (OAuth endpoints, resource metadata); undefined for a path that is not one. */
  route?(request: Request, env: Env, ctx: ExecutionContext): Promise<Response | undefined>;
}

/** Builds an auth style for one server definition (its scopes, its name). */
export type AuthStyle<Env> = (server: ServerDefinition) => McpAuth<Env>;

export interface McpAppOptions<Env> {
  server: ServerDefinition;
  auth: AuthStyle<Env>;
  /** Landing page extras: the mcp-remote arguments a client needs, another auth label. */
  landing?: Partial<LandingOptions>;
}

/**
 * The one way to build an MCP app: a Worker serving the server at /mcp (Streamable HTTP, both
 * protocol eras) and /sse (legacy HTTP+SSE), behind the auth style's checks, with a landing page
 * at /; and the Durable Object classes the app exports: McpSseSession (legacy SSE sessions) and
 * McpTasks (tasks of tools that run as MCP Tasks; bound as MCP_TASKS).
 */
export function createMcpApp<Env extends AppEnv = AppEnv>(options: McpAppOptions<Env>) {
  const { server } = options;
  // Derives what every request reuses, and throws here for a definition that cannot be served (a tool linking a missing UI).
  prepare(server);
  const auth = options.auth(server);
  const transports = transportRoutes<Env>(server);
  const fetch = guarded<Env>(async (request, env, ctx) => {
    const url = urlOf(request);
    if (isTransportPath(url.pathname)) {
      const limited = auth.free ? undefined : await preAuthLimit(request, env);
      if (limited) return limited;
      const authenticated = await inSpan("authenticate", { "mcp.auth.style": auth.label }, async (span) => {
        const result = await auth.authenticate(request, env, ctx);
        if (span && result instanceof Response) span.attributes["http.response.status_code"] = result.status;
        return result;
      });
      if (authenticated instanceof Response) return authenticated;
      return transports(authenticated.request, env, authenticated.caller);
    }
    if (url.pathname === "/" && request.method === "GET") {
      // guarded() has refused hosts this deployment does not serve, so url.origin is ours.
      return landingPage(server, url.origin, { auth: auth.label, ...options.landing });
    }
    return (await auth.route?.(request, env, ctx)) ?? new Response("Not Found\n", { status: 404 });
  }, server.name);
  return {
    worker: { fetch } satisfies ExportedHandler<Env>,
    McpSseSession: createSseSessionClass(server, auth.props),
    McpTasks: createTaskRunnerClass(server, auth.props, auth.grantStands?.bind(auth) as GrantCheck | undefined),
  };
}
