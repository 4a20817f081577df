import { isLoopbackHost } from "@repo/mcp-core";

/** Configuration strings already parsed: an env var holds the same value for the isolate's life. */
const parsedOrigins = new Map<string, readonly string[]>();
const PARSED_ORIGINS_KEPT = 16;

/** Parses a comma- or space-separated list of origins from configuration, normalised by URL (once per value). */
export function parseOrigins(value: string | undefined): readonly string[] {
  const text = value ?? "";
  let origins = parsedOrigins.get(text);
  if (!origins) {
    origins = Object.freeze(
      text
        .split(/[\s,]+/)
        .filter(Boolean)
        .map((entry) => new URL(entry).origin),
    );
    if (parsedOrigins.size >= PARSED_ORIGINS_KEPT) parsedOrigins.clear();
    parsedOrigins.set(text, origins);
  }
  return origins;
}

const requestUrls = new WeakMap<Request, URL>();

/** request.url parsed, once per request however many layers read it. Read it, never change it. */
export function urlOf(request: Request): URL {
  let url = requestUrls.get(request);
  if (!url) {
    url = new URL(request.url);
    requestUrls.set(request, url);
  }
  return url;
}

/**
 * DNS-rebinding protection: a request that carries an Origin must come from this server's own
 * origin, from a configured one, or (only while the server itself is on loopback) from a
 * loopback origin such as MCP Inspector's. `Origin: null` is never accepted.
 */
export function originAllowed(request: Request, allowed: readonly string[]): boolean {
  const origin = request.headers.get("origin");
  if (origin === null) return true;
  const self = urlOf(request);
  if (origin === self.origin || allowed.includes(origin)) return true;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return isLoopbackHost(self.hostname) && isLoopbackHost(parsed.hostname) && parsed.origin === origin;
}

const ALLOW_HEADERS = "Authorization, Content-Type, Accept, Mcp-Session-Id, Mcp-Protocol-Version, Mcp-Method, Mcp-Name, Last-Event-ID";
const EXPOSE_HEADERS = "Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate";

/** CORS headers for an allowed browser origin (MCP Inspector connects from its own origin). */
export function withCors(response: Response, request: Request): Response {
  const origin = request.headers.get("origin");
  if (!origin) return response;
  const headers = new Headers(response.headers);
  headers.set("Access-Control-Allow-Origin", origin);
  headers.append("Vary", "Origin");
  headers.set("Access-Control-Expose-Headers", EXPOSE_HEADERS);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

export function preflight(request: Request): Response {
  return withCors(
    new Response(null, {
      status: 204,
      headers: {
        "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": "86400",
      },
    }),
    request,
  );
}
