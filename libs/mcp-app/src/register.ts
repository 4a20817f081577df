// How a definition's tools, resources and prompts become the SDK's registrations on a server built
// for one caller: logging, tool-error shaping and requestState sealing happen here, once.
import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  fromJsonSchema,
  type GetPromptResult,
  type JsonSchemaType,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  ResourceNotFoundError,
  ResourceTemplate,
  type ServerContext,
  type StandardSchemaWithJSON,
  type InputRequiredResult as WireInputRequired,
} from "@modelcontextprotocol/server";
import {
  type AnyPrompt,
  type AnyResource,
  type AnyTool,
  annotate,
  type Caller,
  describeError,
  inSpan,
  isInputRequired,
  isJsonSchemaInput,
  type JsonSchemaInput,
  log,
  type PromptContext,
  type ResourceBody,
  type ResourceContext,
  ResourceNotFound,
  type ResourceTemplateDefinition,
  type ServerSummary,
  type ToolContext,
  type ToolInput,
  toolError,
  toolUiMeta,
} from "@repo/mcp-core";
import type * as z from "zod";
import type { RequestStates } from "./request-state.js";
import { declaresTasks, startTask } from "./tasks.js";

/** What every registration closes over: one server, built for one caller. */
export interface Registration {
  server: McpServer;
  caller: Caller;
  env: unknown;
  states: RequestStates;
  summary: ServerSummary;
}

/** JSON Schema inputs, each compiled to a validator once (a server is built per request). */
const jsonSchemaInputs = new WeakMap<JsonSchemaInput<unknown>, StandardSchemaWithJSON>();

/** What the SDK registers a tool's input with: the zod object, or the JSON Schema, published as written. */
function sdkInputSchema(input: ToolInput): z.ZodObject | StandardSchemaWithJSON {
  if (!isJsonSchemaInput(input)) return input;
  let schema = jsonSchemaInputs.get(input);
  if (!schema) {
    schema = fromJsonSchema(input.jsonSchema as JsonSchemaType);
    jsonSchemaInputs.set(input, schema);
  }
  return schema;
}

export function registerTool(registration: Registration, tool: AnyTool): void {
  const { server, caller } = registration;
  const inputSchema = sdkInputSchema(tool.inputSchema);
  server.registerTool(
    tool.name,
    {
      description: tool.description,
      inputSchema,
      annotations: tool.annotations,
      ...(tool.title && { title: tool.title }),
      ...(tool.outputSchema && { outputSchema: tool.outputSchema }),
      ...(tool.ui && { _meta: toolUiMeta(tool.ui) }),
    },
    async (args: Record<string, unknown>, ctx: ServerContext) => {
      const started = Date.now();
      const target = `tool:${tool.name}`;
      annotate({ tool: tool.name });
      // Spans and log lines name the tool only: never its arguments or its result.
      return inSpan(`tools/call ${tool.name}`, { "mcp.method.name": "tools/call", "gen_ai.tool.name": tool.name }, async (span) => {
        const record = (outcome: ToolOutcome, error?: unknown) => {
          const latency = Date.now() - started;
          annotate({ outcome, latency_ms: latency });
          if (span) {
            span.attributes["mcp.outcome"] = outcome;
            if (outcome === "tool_error" || outcome === "protocol_error") span.status = "error";
          }
          log({
            event: "tool",
            tool: tool.name,
            outcome,
            ms: latency,
            clientId: caller.clientId,
            userId: caller.userId,
            ...(error !== undefined && { error: describeError(error) }),
          });
        };
        if (tool.task?.gather && declaresTasks(ctx)) {
          const asked = await tool.task.gather(args, toolContext(registration, ctx, target));
          if (asked) {
            record("input_required");
            return registration.states.seal(asked, target, ctx);
          }
        }
        const task = await startTask(tool, args, caller, registration.env, ctx);
        if (task) {
          record("task_created");
          return task as unknown as CallToolResult;
        }
        let result: Awaited<ReturnType<AnyTool["handler"]>>;
        try {
          result = await tool.handler(args, toolContext(registration, ctx, target));
        } catch (error) {
          if (error instanceof ProtocolError) {
            record("protocol_error", error);
            throw error;
          }
          // The model gets a message it can act on; the details go to the log only.
          record("tool_error", error);
          if (ctx.mcpReq.signal.aborted) return toolError(`The ${tool.name} call was cancelled.`);
          return toolError(`The ${tool.name} tool failed unexpectedly. The error was logged; try again later.`);
        }
        if (isInputRequired(result)) {
          record("input_required");
          return registration.states.seal(result, target, ctx);
        }
        record(result.isError ? "tool_error" : "ok");
        return result as CallToolResult;
      });
    },
  );
}

/**
 * How a tool call ended, on its log lines and span (docs/observability.md): the pipeline adds
 * scope_refused and rate_limited for calls refused before they reach a tool.
 */
export type ToolOutcome = "ok" | "tool_error" | "protocol_error" | "input_required" | "task_created";

function toolContext(registration: Registration, ctx: ServerContext, target: string): ToolContext {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  return {
    props: registration.caller.props,
    scopes: registration.caller.scopes,
    env: registration.env,
    signal: ctx.mcpReq.signal,
    ...inputContext(registration, ctx, target),
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

/** The client's capabilities and its answers to earlier input requests, for either protocol era. */
function inputContext(registration: Registration, ctx: ServerContext, target: string) {
  // 2026-07-28 requests declare capabilities per request; a 2025-era session declared them at
  // initialize (a stateless 2025-era request has neither, so nothing is assumed).
  const declared = ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as keyof typeof ctx.mcpReq.envelope] as
    | Record<string, unknown>
    | undefined;
  return {
    clientCapabilities: declared ?? registration.server.server.getClientCapabilities() ?? {},
    inputResponses: ctx.mcpReq.inputResponses ?? {},
    requestState: registration.states.open(ctx, target),
  };
}

function resourceContext(registration: Registration, ctx: ServerContext): ResourceContext {
  return {
    props: registration.caller.props,
    scopes: registration.caller.scopes,
    env: registration.env,
    signal: ctx.mcpReq.signal,
    server: registration.summary,
  };
}

function contents(uri: string, resource: AnyResource, read: ResourceBody | ResourceBody[]): ReadResourceResult {
  const bodies = Array.isArray(read) ? read : [read];
  return {
    contents: bodies.map((body) => {
      const type = body.mimeType ?? resource.mimeType;
      // Hosts read an MCP Apps UI's CSP from the body it renders (resources/list is their fallback).
      const common = { uri: body.uri ?? uri, ...(type && { mimeType: type }), ...(resource.meta && { _meta: { ...resource.meta } }) };
      return "text" in body ? { ...common, text: body.text } : { ...common, blob: body.blob };
    }),
  };
}

/** Runs a read handler: unknown URIs become the protocol's not-found error, anything else a logged, opaque error. */
async function reading(
  registration: Registration,
  uri: string,
  resource: AnyResource,
  run: () => Promise<ReadResourceResult>,
): Promise<ReadResourceResult> {
  const started = Date.now();
  const name = resource.name;
  try {
    const result = await run();
    log({ event: "resource", resource: name, outcome: "ok", ms: Date.now() - started, clientId: registration.caller.clientId });
    return result;
  } catch (error) {
    if (error instanceof ResourceNotFound) throw new ResourceNotFoundError(error.uri);
    if (error instanceof ProtocolError) throw error;
    log({ event: "resource", resource: name, outcome: "exception", ms: Date.now() - started, error: describeError(error) });
    throw new ProtocolError(ProtocolErrorCode.InternalError, `Reading ${uri} failed unexpectedly. The error was logged; try again later.`);
  }
}

export function registerResource(registration: Registration, resource: AnyResource): void {
  const metadata = {
    description: resource.description,
    ...(resource.title && { title: resource.title }),
    ...(resource.mimeType && { mimeType: resource.mimeType }),
    ...(resource.cache && { cacheHint: { ttlMs: resource.cache.ttlMs, cacheScope: resource.cache.scope } }),
    ...(resource.meta && { _meta: { ...resource.meta } }),
  };
  if (resource.kind === "resource") {
    registration.server.registerResource(resource.name, resource.uri, metadata, (uri, ctx) =>
      reading(registration, uri.href, resource, async () =>
        contents(resource.uri, resource, await resource.read(resourceContext(registration, ctx))),
      ),
    );
    return;
  }
  registration.server.registerResource(resource.name, templateFor(registration, resource), metadata, (uri, variables, ctx) =>
    reading(registration, uri.href, resource, async () => {
      const flat = Object.fromEntries(
        Object.entries(variables).map(([key, value]) => [key, Array.isArray(value) ? value.join(",") : value]),
      );
      return contents(uri.href, resource, await resource.read(uri.href, flat, resourceContext(registration, ctx)));
    }),
  );
}

function templateFor(registration: Registration, template: ResourceTemplateDefinition<unknown>): ResourceTemplate {
  const list = template.list?.bind(template);
  return new ResourceTemplate(template.uriTemplate, {
    // Completion is answered by registerCompletions, from the definition.
    list: list
      ? async (ctx) => ({
          resources: (await list(resourceContext(registration, ctx))).map((entry) => ({
            ...entry,
            ...(template.mimeType && { mimeType: template.mimeType }),
          })),
        })
      : undefined,
  });
}

export function registerPrompt(registration: Registration, prompt: AnyPrompt): void {
  const { server, caller } = registration;
  const target = `prompt:${prompt.name}`;
  const get = async (args: Record<string, unknown>, ctx: ServerContext): Promise<GetPromptResult | WireInputRequired> => {
    const context: PromptContext = {
      props: caller.props,
      scopes: caller.scopes,
      env: registration.env,
      signal: ctx.mcpReq.signal,
      ...inputContext(registration, ctx, target),
    };
    try {
      const result = await prompt.handler(args, context);
      log({ event: "prompt", prompt: prompt.name, outcome: isInputRequired(result) ? "input_required" : "ok", clientId: caller.clientId });
      return isInputRequired(result) ? registration.states.seal(result, target, ctx) : (result as GetPromptResult);
    } catch (error) {
      if (error instanceof ProtocolError) throw error;
      log({ event: "prompt", prompt: prompt.name, outcome: "exception", error: describeError(error) });
      throw new ProtocolError(ProtocolErrorCode.InternalError, `The ${prompt.name} prompt failed unexpectedly. The error was logged.`);
    }
  };
  const config = {
    description: prompt.description,
    ...(prompt.title && { title: prompt.title }),
  };
  if (prompt.arguments) {
    const argsSchema: z.ZodObject = prompt.arguments;
    server.registerPrompt(prompt.name, { ...config, argsSchema }, (args: Record<string, unknown>, ctx: ServerContext) => get(args, ctx));
  } else {
    server.registerPrompt(prompt.name, config, (ctx: ServerContext) => get({}, ctx));
  }
}
