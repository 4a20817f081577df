import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { HeaderMap } from "../http.js";
import type { AttackAuth } from "./options.js";

/** Nothing listens here: authorization redirects are read from the Location header, never followed. */
export const CALLBACK = "http://127.0.0.1:65504/callback";
/** An https redirect URI, held to exact matching (loopback ones may change port, RFC 8252 §7.3). */
export const HTTPS_CALLBACK = "https://client.example/cb";
export const TOOLS_SCOPE = "mcp:tools";
/** The MCP Apps extension's MIME type for UI resources. */
export const UI_MIME_TYPE = "text/html;profile=mcp-app";
export const PROTOCOL = "2025-11-25";
export const versionHeader = { "MCP-Protocol-Version": PROTOCOL };
/** How long a refused oversized body may take to be answered. */
export const TOO_LARGE_DEADLINE_MS = 1000;
export const MAX_BODY_BYTES = 1024 * 1024;

/** The normal call every case is followed by, with its exact answer. */
export const PROBE = { name: "add", arguments: { a: 1, b: 2 } };
export const PROBE_RESULT = { content: [{ type: "text", text: "1 + 2 = 3" }], structuredContent: { result: 3 } };

/** Open SSE sessions one caller may hold (libs/mcp-app/src/sse.ts, MAX_SSE_SESSIONS_PER_CALLER). */
export const MAX_SSE_SESSIONS = 32;

/** Test IPs (RFC 5737) for the rate-limit cases, one per counter, so no other case shares it. */
export const RATE_LIMIT_IPS = { mcp: "198.51.100.1", register: "198.51.100.2", token: "198.51.100.3", authorize: "198.51.100.4" };

export type RateLimits = { preauth?: number; mcp?: number; oauth?: number };

/**
 * An app's wrangler.jsonc, parsed with the JSONC parser the workspace tooling reads the same configs
 * with (tools/workspace-plugin, tools/deploy.mjs). Loaded here only: the published ./testing entry
 * lists @nx/devkit as an optional peer, for the attack suites.
 */
export function readWranglerConfig<T extends object>(config: string | URL): T {
  const { parseJson } = createRequire(import.meta.url)("@nx/devkit") as typeof import("@nx/devkit");
  return parseJson<T>(readFileSync(config, "utf8"), { expectComments: true });
}

/** The limits of the app's MCP and OAuth rate-limit bindings, as configured at the top level. */
export function rateLimitsOf(config: URL): RateLimits {
  const parsed = readWranglerConfig<{ ratelimits?: Array<{ name: string; simple: { limit: number } }> }>(config);
  const limit = (name: string) => parsed.ratelimits?.find((binding) => binding.name === name)?.simple.limit;
  return { preauth: limit("PREAUTH_RATE_LIMITER"), mcp: limit("MCP_RATE_LIMITER"), oauth: limit("OAUTH_RATE_LIMITER") };
}

export const notApplicable = (auth: AttackAuth) =>
  auth.style === "public" ? "public app: no credentials at all" : "bearer app: tokens are issued out of band, no authorization server";

export const bearer = (token: string): HeaderMap => ({ Authorization: `Bearer ${token}` });

/** A JSON-RPC error body, read without checking its shape (the assertions do that). */
export const rpcError = (body: string) => JSON.parse(body) as { id: unknown; error: { code: number; message: string } };
