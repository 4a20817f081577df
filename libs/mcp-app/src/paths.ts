/** The paths every app serves MCP and its metadata at, named once. */

export const MCP_PATH = "/mcp";
export const SSE_PATH = "/sse";
/** Where legacy-SSE clients POST their messages; the stream's `endpoint` event names it. */
export const SSE_MESSAGE_PATH = "/sse/message";
/** RFC 9728 protected resource metadata (OAuth provider and bearer apps alike). */
export const PROTECTED_RESOURCE_METADATA_PATH = "/.well-known/oauth-protected-resource";

/**
 * Paths the transport pipeline owns: Origin-checked, authenticated, rate-limited. The whole /mcp
 * and /sse prefixes are, so no path below them reaches anything before those checks.
 */
export const isTransportPath = (path: string): boolean =>
  path === MCP_PATH || path === SSE_PATH || path.startsWith(`${MCP_PATH}/`) || path.startsWith(`${SSE_PATH}/`);
