import { McpServer, requireScopes, type ServerContext } from "@modelcontextprotocol/server";
import { type AnyTool, type ToolContext, toolError } from "@repo/mcp-tools";
import type * as z from "zod";
import { log } from "./log.js";

/** Who is calling, as established by the app's auth layer before any MCP message is read. */
export interface Caller<Props = unknown> {
  /** Validated identity (grant props, bearer key label, ...); undefined on public servers. */
  props: Props;
  /** Scopes on the caller's credential. */
  scopes: readonly string[];
  /** OAuth client id, or another stable label of the credential, for logs. */
  clientId?: string;
  /** Stable user id for logs and session ownership. */
  userId?: string;
}

export const anonymous: Caller<undefined> = { props: undefined, scopes: [] };

/** Everything that describes one MCP server, independent of transport and auth. */
export interface ServerDefinition {
  name: string;
  version: string;
  title?: string;
  /** One paragraph for the model: what the server is for. */
  instructions?: string;
  tools: readonly AnyTool[];
}

/** Builds a server instance for one request (or one SSE session) and one caller. */
export function buildServer(definition: ServerDefinition, caller: Caller, env: unknown): McpServer {
  const server = new McpServer(
    { name: definition.name, version: definition.version, ...(definition.title && { title: definition.title }) },
    {
      capabilities: { tools: { listChanged: false }, logging: {} },
      ...(definition.instructions && { instructions: definition.instructions }),
    },
  );
  for (const tool of definition.tools) registerTool(server, tool, caller, env);
  return server;
}

function registerTool(server: McpServer, tool: AnyTool, caller: Caller, env: unknown): void {
  const [firstScope, ...otherScopes] = tool.scopes ?? [];
  const inputSchema: z.ZodObject = tool.inputSchema;
  server.registerTool(
    tool.name,
    {
      description: tool.description,
      inputSchema,
      annotations: tool.annotations,
      ...(tool.title && { title: tool.title }),
      ...(tool.outputSchema && { outputSchema: tool.outputSchema }),
      ...(firstScope && { scopeChallenge: requireScopes(firstScope, ...otherScopes) }),
    },
    async (args: Record<string, unknown>, ctx: ServerContext) => {
      const started = Date.now();
      try {
        const result = await tool.handler(args, toolContext(ctx, caller, env));
        log({
          event: "tool",
          tool: tool.name,
          outcome: result.isError ? "tool_error" : "ok",
          ms: Date.now() - started,
          clientId: caller.clientId,
          userId: caller.userId,
        });
        return result;
      } catch (error) {
        // The model gets a message it can act on; the details go to the log only.
        log({
          event: "tool",
          tool: tool.name,
          outcome: "exception",
          ms: Date.now() - started,
          clientId: caller.clientId,
          userId: caller.userId,
          error: describeError(error),
        });
        if (ctx.mcpReq.signal.aborted) return toolError(`The ${tool.name} call was cancelled.`);
        return toolError(`The ${tool.name} tool failed unexpectedly. The error was logged; try again later.`);
      }
    },
  );
}

function toolContext(ctx: ServerContext, caller: Caller, env: unknown): ToolContext {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  return {
    props: caller.props,
    scopes: caller.scopes,
    env,
    signal: ctx.mcpReq.signal,
    async progress(progress, total, message) {
      if (progressToken === undefined || ctx.mcpReq.signal.aborted) return;
      await ctx.mcpReq.notify({
        method: "notifications/progress",
        params: { progressToken, progress, ...(total !== undefined && { total }), ...(message && { message }) },
      });
    },
    async log(level, data) {
      await ctx.mcpReq.log(level, data).catch(() => {});
    },
  };
}

/** Error name and message only: never a stack, never request data. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}
