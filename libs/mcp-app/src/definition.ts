import type { AnyPrompt, AnyResource, AnyTool } from "@repo/mcp-core";

/** Everything that describes one MCP server, independent of transport and auth. */
export interface ServerDefinition {
  name: string;
  version: string;
  title?: string;
  /** One paragraph for the model: what the server is for. */
  instructions?: string;
  tools: readonly AnyTool[];
  /** Resources and resource templates (defineResource / defineResourceTemplate); advertised only when present. */
  resources?: readonly AnyResource[];
  /** Prompts (definePrompt); advertised only when present. */
  prompts?: readonly AnyPrompt[];
}

/**
 * How long a client may reuse tools/list, prompts/list, resources/list and server/discover
 * (protocol 2026-07-28 caching hints). The lists change only when a new version is deployed,
 * so this bounds how long a client may show a stale list after a deploy.
 */
export const LIST_CACHE_TTL_MS = 60_000;

/** Every scope the definition's tools, resources and prompts require, sorted, each once. */
export function declaredScopes(definition: ServerDefinition): string[] {
  const all = [...definition.tools, ...(definition.resources ?? []), ...(definition.prompts ?? [])].flatMap((item) => item.scopes ?? []);
  return [...new Set(all)].sort();
}
