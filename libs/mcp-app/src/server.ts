import { McpServer } from "@modelcontextprotocol/server";
import type { Caller } from "@repo/mcp-core";
import { prepare, registerCompletions } from "./capabilities.js";
import { LIST_CACHE_TTL_MS, type ServerDefinition } from "./definition.js";
import type { Reach } from "./reach.js";
import { type Registration, registerPrompt, registerResource, registerTool } from "./register.js";
import { RequestStates } from "./request-state.js";
import { reachesTasks, registerTaskMethods } from "./tasks.js";

/**
 * Builds a server instance for one request (or one SSE session) and one caller; with `reach`, only
 * what that request can reach is registered (a server is built per request).
 */
export function buildServer(definition: ServerDefinition, caller: Caller, env: unknown, reach?: Reach): McpServer {
  const { capabilities, summary, completions } = prepare(definition);
  const listHint = { ttlMs: LIST_CACHE_TTL_MS, cacheScope: caller.props === undefined ? "public" : "private" } as const;
  const states = new RequestStates(caller, env);
  const server = new McpServer(
    { name: definition.name, version: definition.version, ...(definition.title && { title: definition.title }) },
    {
      capabilities,
      ...(definition.instructions && { instructions: definition.instructions }),
      cacheHints: {
        "tools/list": listHint,
        "prompts/list": listHint,
        "resources/list": listHint,
        "resources/templates/list": listHint,
        "server/discover": listHint,
      },
      requestState: { verify: (state, ctx) => states.verify(state, ctx) },
    },
  );
  const registration: Registration = { server, caller, env, states, summary };
  for (const tool of definition.tools) {
    if (!reach || reach.tools === "all" || reach.tools === tool.name) registerTool(registration, tool);
  }
  if (!reach || reach.resources) for (const resource of definition.resources ?? []) registerResource(registration, resource);
  if (!reach || reach.prompts) for (const prompt of definition.prompts ?? []) registerPrompt(registration, prompt);
  if (completions && !reach) registerCompletions(server, completions);
  if (reachesTasks(definition, reach)) {
    registerTaskMethods(server, caller, env);
    // A task's CreateTaskResult has no structuredContent to hold to the tool's output schema: the
    // task runner checks the tool's own result when the task completes.
    const sdk = server as unknown as { validateToolOutput(tool: unknown, result: unknown, name: string): Promise<void> };
    const validateOutput = sdk.validateToolOutput.bind(server);
    sdk.validateToolOutput = (tool, result, name) =>
      (result as { resultType?: unknown }).resultType === "task" ? Promise.resolve() : validateOutput(tool, result, name);
  }
  return server;
}
