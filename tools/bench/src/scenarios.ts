import type { RequestShape } from "./load.js";

/** The requests the benchmark replays, as an MCP client sends them. */

const CLIENT_INFO = { name: "bench", version: "1.0.0" };
export const LEGACY_VERSION = "2025-11-25";
export const MODERN_VERSION = "2026-07-28";

const jsonHeaders = (auth: Record<string, string>) => ({
  "Content-Type": "application/json",
  Accept: "application/json, text/event-stream",
  ...auth,
});

export const ADD_ARGUMENTS = { a: 2, b: 3 };

/** tools/call add, 2025-era: no session (the servers are stateless), protocol version header as after initialize. */
export function call2025(auth: Record<string, string>): RequestShape {
  return {
    method: "POST",
    path: "/mcp",
    headers: { ...jsonHeaders(auth), "MCP-Protocol-Version": LEGACY_VERSION },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: ADD_ARGUMENTS } }),
  };
}

/** tools/call add, 2026-07-28: per-request _meta and the Mcp-Method / Mcp-Name headers, as SDK v2 sends it. */
export function call2026(auth: Record<string, string>): RequestShape {
  const meta = {
    "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
    "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
    "io.modelcontextprotocol/clientCapabilities": {},
  };
  return {
    method: "POST",
    path: "/mcp",
    headers: { ...jsonHeaders(auth), "MCP-Protocol-Version": MODERN_VERSION, "Mcp-Method": "tools/call", "Mcp-Name": "add" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add", arguments: ADD_ARGUMENTS, _meta: meta } }),
  };
}

/** The 2026-07-28 envelope of a client that declares the Tasks extension. */
const TASKS_META = {
  "io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
  "io.modelcontextprotocol/clientInfo": CLIENT_INFO,
  "io.modelcontextprotocol/clientCapabilities": { extensions: { "io.modelcontextprotocol/tasks": {} } },
};

/** tools/call count_slowly (one step, no delay) from a client that declares Tasks: each request creates a task. */
export function taskCreate2026(auth: Record<string, string>): RequestShape {
  const params = { name: "count_slowly", arguments: { to: 1, delayMs: 0 }, _meta: TASKS_META };
  return {
    method: "POST",
    path: "/mcp",
    headers: { ...jsonHeaders(auth), "MCP-Protocol-Version": MODERN_VERSION, "Mcp-Method": "tools/call", "Mcp-Name": "count_slowly" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params }),
  };
}

/** tasks/get of one completed task: the poll a Tasks client repeats. */
export function taskGet2026(auth: Record<string, string>, taskId: string): RequestShape {
  return {
    method: "POST",
    path: "/mcp",
    headers: { ...jsonHeaders(auth), "MCP-Protocol-Version": MODERN_VERSION, "Mcp-Method": "tasks/get", "Mcp-Name": taskId },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tasks/get", params: { taskId, _meta: TASKS_META } }),
  };
}

/** initialize, 2025-era: what every new session of a 2025-era client starts with. */
export function initialize2025(auth: Record<string, string>): RequestShape {
  return {
    method: "POST",
    path: "/mcp",
    headers: jsonHeaders(auth),
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: CLIENT_INFO },
    }),
  };
}

/** notifications/initialized, the second message of a 2025-era session. */
export function initialized2025(auth: Record<string, string>): RequestShape {
  return {
    method: "POST",
    path: "/mcp",
    headers: { ...jsonHeaders(auth), "MCP-Protocol-Version": LEGACY_VERSION },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  };
}

/** A tools/call posted to a legacy SSE session; `[<id>]` becomes a unique id per request. */
export function sseCall(auth: Record<string, string>, endpoint: string): RequestShape {
  return {
    method: "POST",
    path: endpoint,
    headers: { "Content-Type": "application/json", ...auth },
    body: JSON.stringify({ jsonrpc: "2.0", id: "[<id>]", method: "tools/call", params: { name: "add", arguments: ADD_ARGUMENTS } }),
    uniqueIds: true,
  };
}

/** What the trivial Worker is sent: the same bytes as a 2025-era tools/call. */
export const trivialRequest = (): RequestShape => call2025({});
