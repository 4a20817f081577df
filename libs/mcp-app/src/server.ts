import {
  type CallToolResult,
  CLIENT_CAPABILITIES_META_KEY,
  type CompleteResult,
  createRequestStateCodec,
  fromJsonSchema,
  type GetPromptResult,
  type JsonSchemaType,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  type RequestStateCodec,
  ResourceNotFoundError,
  ResourceTemplate,
  type ServerCapabilities,
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
  type Completer,
  describeError,
  type InputRequiredResult,
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
} from "@repo/mcp-core";
import type * as z from "zod";
import { memoizeJsonSchema } from "./json-schema-cache.js";

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

/** What buildServer derives once per definition, so building a server per request stays cheap. */
interface Prepared {
  capabilities: ServerCapabilities;
  summary: ServerSummary;
  completions: Completions | undefined;
}

interface Completions {
  /** Every prompt's completers, empty for prompts without any. */
  prompts: Map<string, Readonly<Record<string, Completer | undefined>>>;
  templates: Map<string, Readonly<Record<string, Completer>>>;
}

const prepared = new WeakMap<ServerDefinition, Prepared>();

function prepare(definition: ServerDefinition): Prepared {
  let result = prepared.get(definition);
  if (result) return result;
  for (const tool of definition.tools) {
    memoizeJsonSchema(tool.inputSchema);
    memoizeJsonSchema(tool.outputSchema);
  }
  for (const prompt of definition.prompts ?? []) memoizeJsonSchema(prompt.arguments);
  const resources = definition.resources ?? [];
  const prompts = definition.prompts ?? [];
  const completions: Completions = { prompts: new Map(), templates: new Map() };
  for (const prompt of prompts) completions.prompts.set(prompt.name, prompt.complete ?? {});
  for (const resource of resources) {
    if (resource.kind === "template" && resource.complete) completions.templates.set(resource.uriTemplate, resource.complete);
  }
  const completes = prompts.some((prompt) => prompt.complete) || completions.templates.size > 0;
  result = {
    capabilities: {
      tools: { listChanged: false },
      logging: {},
      ...(resources.length > 0 && { resources: { listChanged: false } }),
      ...(prompts.length > 0 && { prompts: { listChanged: false } }),
      ...(completes && { completions: {} }),
    },
    summary: {
      name: definition.name,
      version: definition.version,
      ...(definition.title && { title: definition.title }),
      ...(definition.instructions && { instructions: definition.instructions }),
      tools: definition.tools.map(({ name, title, description }) => ({ name, description, ...(title && { title }) })),
      prompts: prompts.map(({ name, title, description, arguments: args }) => ({
        name,
        description,
        ...(title && { title }),
        arguments: Object.keys((args as z.ZodObject | undefined)?.shape ?? {}),
      })),
      resources: resources.map((resource) => ({
        uri: resource.kind === "resource" ? resource.uri : resource.uriTemplate,
        name: resource.name,
        description: resource.description,
      })),
    },
    completions: completes ? completions : undefined,
  };
  prepared.set(definition, result);
  return result;
}

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
  const scope: Scope = { server, caller, env, states, summary };
  for (const tool of definition.tools) {
    if (!reach || reach.tools === "all" || reach.tools === tool.name) registerTool(scope, tool);
  }
  if (!reach || reach.resources) for (const resource of definition.resources ?? []) registerResource(scope, resource);
  if (!reach || reach.prompts) for (const prompt of definition.prompts ?? []) registerPrompt(scope, prompt);
  if (completions && !reach) registerCompletions(server, completions);
  return server;
}

/** What every registration closes over: one server, built for one caller. */
interface Scope {
  server: McpServer;
  caller: Caller;
  env: unknown;
  states: RequestStates;
  summary: ServerSummary;
}

/** Every scope the definition's tools, resources and prompts require, sorted, each once. */
export function declaredScopes(definition: ServerDefinition): string[] {
  const all = [...definition.tools, ...(definition.resources ?? []), ...(definition.prompts ?? [])].flatMap((item) => item.scopes ?? []);
  return [...new Set(all)].sort();
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

function registerTool(scope: Scope, tool: AnyTool): void {
  const { server, caller } = scope;
  const inputSchema = sdkInputSchema(tool.inputSchema);
  server.registerTool(
    tool.name,
    {
      description: tool.description,
      inputSchema,
      annotations: tool.annotations,
      ...(tool.title && { title: tool.title }),
      ...(tool.outputSchema && { outputSchema: tool.outputSchema }),
    },
    async (args: Record<string, unknown>, ctx: ServerContext) => {
      const started = Date.now();
      const target = `tool:${tool.name}`;
      annotate({ tool: tool.name });
      const record = (outcome: string, error?: unknown) => {
        annotate({ outcome });
        log({
          event: "tool",
          tool: tool.name,
          outcome,
          ms: Date.now() - started,
          clientId: caller.clientId,
          userId: caller.userId,
          ...(error !== undefined && { error: describeError(error) }),
        });
      };
      let result: Awaited<ReturnType<AnyTool["handler"]>>;
      try {
        result = await tool.handler(args, toolContext(scope, ctx, target));
      } catch (error) {
        if (error instanceof ProtocolError) throw error;
        // The model gets a message it can act on; the details go to the log only.
        record("exception", error);
        if (ctx.mcpReq.signal.aborted) return toolError(`The ${tool.name} call was cancelled.`);
        return toolError(`The ${tool.name} tool failed unexpectedly. The error was logged; try again later.`);
      }
      if (isInputRequired(result)) {
        record("input_required");
        return scope.states.seal(result, target, ctx);
      }
      record(result.isError ? "tool_error" : "ok");
      return result as CallToolResult;
    },
  );
}

function toolContext(scope: Scope, ctx: ServerContext, target: string): ToolContext {
  const progressToken = ctx.mcpReq._meta?.progressToken;
  return {
    props: scope.caller.props,
    scopes: scope.caller.scopes,
    env: scope.env,
    signal: ctx.mcpReq.signal,
    ...inputContext(scope, ctx, target),
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
function inputContext(scope: Scope, ctx: ServerContext, target: string) {
  // 2026-07-28 requests declare capabilities per request; a 2025-era session declared them at
  // initialize (a stateless 2025-era request has neither, so nothing is assumed).
  const declared = ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as keyof typeof ctx.mcpReq.envelope] as
    | Record<string, unknown>
    | undefined;
  return {
    clientCapabilities: declared ?? scope.server.server.getClientCapabilities() ?? {},
    inputResponses: ctx.mcpReq.inputResponses ?? {},
    requestState: scope.states.open(ctx, target),
  };
}

function resourceContext(scope: Scope, ctx: ServerContext): ResourceContext {
  return { props: scope.caller.props, scopes: scope.caller.scopes, env: scope.env, signal: ctx.mcpReq.signal, server: scope.summary };
}

function contents(uri: string, mimeType: string | undefined, read: ResourceBody | ResourceBody[]): ReadResourceResult {
  const bodies = Array.isArray(read) ? read : [read];
  return {
    contents: bodies.map((body) => {
      const type = body.mimeType ?? mimeType;
      const common = { uri: body.uri ?? uri, ...(type && { mimeType: type }) };
      return "text" in body ? { ...common, text: body.text } : { ...common, blob: body.blob };
    }),
  };
}

/** Runs a read handler: unknown URIs become the protocol's not-found error, anything else a logged, opaque error. */
async function reading(
  scope: Scope,
  uri: string,
  resource: AnyResource,
  run: () => Promise<ReadResourceResult>,
): Promise<ReadResourceResult> {
  const started = Date.now();
  const name = resource.name;
  try {
    const result = await run();
    log({ event: "resource", resource: name, outcome: "ok", ms: Date.now() - started, clientId: scope.caller.clientId });
    return result;
  } catch (error) {
    if (error instanceof ResourceNotFound) throw new ResourceNotFoundError(error.uri);
    if (error instanceof ProtocolError) throw error;
    log({ event: "resource", resource: name, outcome: "exception", ms: Date.now() - started, error: describeError(error) });
    throw new ProtocolError(ProtocolErrorCode.InternalError, `Reading ${uri} failed unexpectedly. The error was logged; try again later.`);
  }
}

function registerResource(scope: Scope, resource: AnyResource): void {
  const metadata = {
    description: resource.description,
    ...(resource.title && { title: resource.title }),
    ...(resource.mimeType && { mimeType: resource.mimeType }),
    ...(resource.cache && { cacheHint: { ttlMs: resource.cache.ttlMs, cacheScope: resource.cache.scope } }),
  };
  if (resource.kind === "resource") {
    scope.server.registerResource(resource.name, resource.uri, metadata, (uri, ctx) =>
      reading(scope, uri.href, resource, async () =>
        contents(resource.uri, resource.mimeType, await resource.read(resourceContext(scope, ctx))),
      ),
    );
    return;
  }
  scope.server.registerResource(resource.name, templateFor(scope, resource), metadata, (uri, variables, ctx) =>
    reading(scope, uri.href, resource, async () => {
      const flat = Object.fromEntries(
        Object.entries(variables).map(([key, value]) => [key, Array.isArray(value) ? value.join(",") : value]),
      );
      return contents(uri.href, resource.mimeType, await resource.read(uri.href, flat, resourceContext(scope, ctx)));
    }),
  );
}

function templateFor(scope: Scope, template: ResourceTemplateDefinition<unknown>): ResourceTemplate {
  const list = template.list?.bind(template);
  return new ResourceTemplate(template.uriTemplate, {
    // Completion is answered by registerCompletions, from the definition.
    list: list
      ? async (ctx) => ({
          resources: (await list(resourceContext(scope, ctx))).map((entry) => ({
            ...entry,
            ...(template.mimeType && { mimeType: template.mimeType }),
          })),
        })
      : undefined,
  });
}

function registerPrompt(scope: Scope, prompt: AnyPrompt): void {
  const { server, caller } = scope;
  const target = `prompt:${prompt.name}`;
  const get = async (args: Record<string, unknown>, ctx: ServerContext): Promise<GetPromptResult | WireInputRequired> => {
    const context: PromptContext = {
      props: caller.props,
      scopes: caller.scopes,
      env: scope.env,
      signal: ctx.mcpReq.signal,
      ...inputContext(scope, ctx, target),
    };
    try {
      const result = await prompt.handler(args, context);
      log({ event: "prompt", prompt: prompt.name, outcome: isInputRequired(result) ? "input_required" : "ok", clientId: caller.clientId });
      return isInputRequired(result) ? scope.states.seal(result, target, ctx) : (result as GetPromptResult);
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

/** completion/complete for prompt arguments and template variables, answered from the definitions. */
function registerCompletions(server: McpServer, completions: Completions): void {
  server.server.setRequestHandler("completion/complete", async (request): Promise<CompleteResult> => {
    const { ref, argument, context } = request.params;
    let completers: Readonly<Record<string, Completer | undefined>> | undefined;
    if (ref.type === "ref/prompt") {
      completers = completions.prompts.get(ref.name);
      if (!completers) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${ref.name} not found`);
    } else {
      completers = completions.templates.get(ref.uri);
    }
    const complete = completers?.[argument.name];
    if (!complete) return { completion: { values: [], hasMore: false } };
    const values = (await complete(argument.value, { arguments: context?.arguments ?? {} })).map(String);
    return { completion: { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 } };
  });
}

interface SealedState {
  /** What minted it ("tool:name" / "prompt:name"): state is never accepted by another handler. */
  t: string;
  s: string;
}

const MIN_KEY_BYTES = 32;
let isolateKey: Uint8Array | undefined;

/**
 * Integrity protection for multi-round `requestState` (it travels through the client): every
 * state a handler returns is signed (HMAC, 10-minute expiry) and bound to the caller and the
 * method, and every state that comes back is verified before the handler runs (-32602 otherwise).
 * The key is the MCP_REQUEST_STATE_KEY secret (at least 32 bytes); without it, a random
 * per-isolate key, which only verifies rounds served by the same isolate.
 */
class RequestStates {
  private codec: RequestStateCodec<SealedState> | undefined;

  constructor(
    private readonly caller: Caller,
    private readonly env: unknown,
  ) {}

  private get(): RequestStateCodec<SealedState> {
    if (!this.codec) {
      const configured = (this.env as { MCP_REQUEST_STATE_KEY?: unknown } | null)?.MCP_REQUEST_STATE_KEY;
      // Random values can only be drawn while handling a request, so the isolate key is made lazily.
      isolateKey ??= crypto.getRandomValues(new Uint8Array(MIN_KEY_BYTES));
      const key =
        typeof configured === "string" && new TextEncoder().encode(configured).byteLength >= MIN_KEY_BYTES ? configured : isolateKey;
      const identity = `${this.caller.clientId ?? ""}\0${this.caller.userId ?? ""}`;
      this.codec = createRequestStateCodec<SealedState>({ key, bind: (ctx) => `${ctx.mcpReq.method}\0${identity}` });
    }
    return this.codec;
  }

  verify(state: string, ctx: ServerContext): Promise<SealedState> {
    return this.get().verify(state, ctx);
  }

  /** The handler's own state from a verified round, or undefined on a first round. */
  open(ctx: ServerContext, target: string): string | undefined {
    const sealed = ctx.mcpReq.requestState<SealedState>();
    if (sealed === undefined) return undefined;
    if (typeof sealed !== "object" || sealed.t !== target) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, "Invalid or expired requestState");
    }
    return sealed.s;
  }

  /**
   * Signs the state of an input-required result on its way out. The mcp-core types describe the
   * same wire shape as the SDK's, with looser elicitation schemas; the SDK validates it on send.
   */
  async seal(result: InputRequiredResult, target: string, ctx: ServerContext): Promise<WireInputRequired> {
    const sealed =
      result.requestState === undefined
        ? result
        : { ...result, requestState: await this.get().mint({ t: target, s: result.requestState }, ctx) };
    return sealed as WireInputRequired;
  }
}
