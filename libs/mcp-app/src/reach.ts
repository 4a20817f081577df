/**
 * What one JSON-RPC message can reach on a server built for it alone: a tools/call reaches its tool,
 * a list or read reaches its kind; undefined means everything (an SSE session, a batch, or any
 * other method). Capabilities are declared whatever is registered, so what a client is told does
 * not change.
 */
export interface Reach {
  /** One tool by name, or every tool. */
  tools?: string | "all";
  resources?: boolean;
  prompts?: boolean;
}

export function reachOf(message: unknown): Reach | undefined {
  if (!message || typeof message !== "object" || Array.isArray(message)) return undefined;
  const { method, params } = message as { method?: unknown; params?: { name?: unknown } };
  if (method === "tools/call") return typeof params?.name === "string" ? { tools: params.name } : {};
  if (method === "tools/list") return { tools: "all" };
  if (method === "initialize" || method === "ping") return {};
  if (typeof method === "string" && method.startsWith("resources/")) return { resources: true };
  if (typeof method === "string" && method.startsWith("prompts/")) return { prompts: true };
  return undefined;
}
