import { log } from "@repo/mcp-core";
import { ipv6Groups } from "./address.js";

/**
 * Rate limits through the Workers rate-limiting binding (`"ratelimits"` in wrangler.jsonc). The
 * limits themselves are configuration: each binding's `simple: { limit, period }`. An app that
 * binds neither is not limited (the conformance fixture, the benchmark's trivial Worker).
 */
export interface RateLimitEnv {
  /**
   * Requests to /mcp and /sse per client network (see ipKey), counted before authentication, so
   * requests that fail it count too. Generous: it only bounds what one network can make the
   * server do (token lookups, user-backend calls) before anyone is known.
   */
  PREAUTH_RATE_LIMITER?: RateLimit;
  /** MCP requests (/mcp, /sse, /sse/message) per client and user; per IP on a public server. */
  MCP_RATE_LIMITER?: RateLimit;
  /** OAuth endpoints (/register, /token, /authorize) per client IP and endpoint. */
  OAUTH_RATE_LIMITER?: RateLimit;
  /** "off" turns both limiters off (load tests only); anything else, or unset, leaves them on. */
  RATE_LIMITING?: string;
}

/**
 * What a refused request is told to wait, in seconds: the longest window the binding supports
 * (`period` is 10 or 60), so a client that waits this long always meets a fresh window.
 */
export const RETRY_AFTER_SECONDS = 60;

/** The OAuth endpoints limited per IP; /callback (upstream sign-in) is part of an /authorize flow. */
export const OAUTH_LIMITED_PATHS: ReadonlySet<string> = new Set(["/register", "/token", "/authorize"]);

/**
 * The caller's IP as Cloudflare reports it. At the edge Cloudflare sets CF-Connecting-IP itself
 * (a client cannot choose it); `wrangler dev` fills it in from the socket unless the client sent one.
 */
export function clientIp(request: Request): string {
  return request.headers.get("cf-connecting-ip") ?? "unknown";
}

/**
 * The rate-limit key of the caller's network: an IPv4 address as it is, an IPv6 address by its
 * /64 (one host or one customer usually holds a whole /64, so per-address buckets would not
 * limit it at all). Unparseable values are keyed as they are.
 */
export function ipKey(request: Request): string {
  const ip = clientIp(request);
  if (!ip.includes(":")) return `ip:${ip}`;
  const groups = ipv6Groups(ip);
  if (!groups) return `ip:${ip}`;
  // IPv4-mapped (::ffff:a.b.c.d) is that IPv4 host.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    const [high = 0, low = 0] = groups.slice(6);
    return `ip:${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return `ip:${groups
    .slice(0, 4)
    .map((group) => group.toString(16))
    .join(":")}::/64`;
}

/**
 * Counts one request against `key` on `binding`. True when the request may proceed: within the
 * limit, no binding configured, limiting switched off, or the binding failing (availability wins
 * over strictness there, and the failure is logged).
 */
export async function withinLimit(
  env: RateLimitEnv,
  binding: "PREAUTH_RATE_LIMITER" | "MCP_RATE_LIMITER" | "OAUTH_RATE_LIMITER",
  key: string,
): Promise<boolean> {
  const limiter = env[binding];
  if (!limiter || env.RATE_LIMITING === "off") return true;
  try {
    return (await limiter.limit({ key })).success;
  } catch (error) {
    log({ event: "rate_limit_unavailable", binding, error: error instanceof Error ? error.name : typeof error });
    return true;
  }
}

/** 429 with Retry-After, as JSON-RPC for MCP routes and as an OAuth-style error elsewhere. */
export function tooManyRequests(kind: "mcp" | "oauth"): Response {
  const headers = { "Retry-After": String(RETRY_AFTER_SECONDS), "Cache-Control": "no-store" };
  const message = `Too Many Requests: slow down and retry after ${RETRY_AFTER_SECONDS} seconds.`;
  if (kind === "mcp") {
    return Response.json({ jsonrpc: "2.0", id: null, error: { code: -32000, message } }, { status: 429, headers });
  }
  return Response.json({ error: "rate_limited", error_description: message }, { status: 429, headers });
}
