import type * as z from "zod";
import type { InputRequiredResult } from "./input.js";
import type { ToolUi } from "./ui.js";

/** Hints a client may show or use; never trusted for access control. */
export interface ToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface TextContent {
  type: "text";
  text: string;
  [extra: string]: unknown;
}

/** Base64 image data, e.g. a PNG. */
export interface ImageContent {
  type: "image";
  data: string;
  mimeType: string;
  [extra: string]: unknown;
}

/** Base64 audio data, e.g. a WAV file. */
export interface AudioContent {
  type: "audio";
  data: string;
  mimeType: string;
  [extra: string]: unknown;
}

/** The contents of one resource: text, or base64 `blob` for binary data. */
export type ResourceContents =
  | { uri: string; mimeType?: string; text: string; [extra: string]: unknown }
  | { uri: string; mimeType?: string; blob: string; [extra: string]: unknown };

/** A resource's contents carried inline in a result or prompt message. */
export interface EmbeddedResource {
  type: "resource";
  resource: ResourceContents;
  [extra: string]: unknown;
}

/** A pointer to a resource the client may read later. */
export interface ResourceLink {
  type: "resource_link";
  uri: string;
  name: string;
  title?: string;
  description?: string;
  mimeType?: string;
  [extra: string]: unknown;
}

/** Every content block a tool result or prompt message may carry. */
export type ContentBlock = TextContent | ImageContent | AudioContent | EmbeddedResource | ResourceLink;

/**
 * What a tool handler returns: MCP's CallToolResult. Text-only by default, which is what most
 * tools produce; `ToolResult<Out, ContentBlock>` for images, audio or embedded resources.
 */
export interface ToolResult<Out = Record<string, unknown>, Content extends ContentBlock = TextContent> {
  content: Content[];
  structuredContent?: Out;
  isError?: boolean;
  [extra: string]: unknown;
}

/** Anything a handler may return: a result, or a request for input from the client (see input.ts). */
export type ToolReturn<Out = Record<string, unknown>> = ToolResult<Out, ContentBlock> | InputRequiredResult;

/** What a handler may do besides compute: everything transport-specific stays behind this. */
export interface ToolContext<Props = unknown> {
  /** The caller's validated identity (OAuth grant props, bearer key, ...); `undefined` on public servers. */
  props: Props;
  /** Scopes granted to the caller's token (empty on public servers). */
  scopes: readonly string[];
  /** Aborted when the client cancels the call or disconnects. */
  signal: AbortSignal;
  /** Reports progress when the client asked for it (a no-op otherwise). */
  progress(progress: number, total?: number, message?: string): Promise<void>;
  /** Sends a log notification to the client when its level allows. */
  log(level: "debug" | "info" | "warning" | "error", data: unknown): Promise<void>;
  /** Configuration and bindings of the Worker serving the call. */
  env: unknown;
  /**
   * What the client declared it can do (`elicitation`, `sampling`, `roots`, ...): the request's own
   * declaration on 2026-07-28, the `initialize` one on a 2025-era session, empty when unknown
   * (a stateless 2025-era request). Ask for input only through a capability listed here.
   */
  clientCapabilities?: Readonly<Record<string, unknown>>;
  /**
   * The client's answers to this call's earlier input requests, keyed as the handler asked
   * (see `inputRequired`). Untrusted input: read them with `elicited`/`sampledText`/`listedRoots`.
   */
  inputResponses?: Readonly<Record<string, unknown>>;
  /** The `requestState` this handler returned on the previous round, integrity-checked by the server layer. */
  requestState?: string;
}

/**
 * The OAuth scope every tool in this repo requires: a token without it may list the tools but
 * not call them (HTTP 403 `insufficient_scope`). Apps offer it in their `scopes_supported`.
 */
export const TOOLS_SCOPE = "mcp:tools";

/**
 * A tool's input schema written as JSON Schema (2020-12 unless its `$schema` says otherwise), for
 * what a zod object cannot say: `$defs` and `$ref`, `$anchor`, `allOf`/`anyOf`, `if`/`then`/`else`.
 * The server layer publishes it unchanged and validates every call's arguments against it;
 * `Args` is the type the handler receives, which TypeScript cannot check against the schema.
 */
export interface JsonSchemaInput<Args = Record<string, unknown>> {
  readonly jsonSchema: Readonly<Record<string, unknown>>;
  /** Type-level only: never set. */
  readonly args?: Args;
}

/** Declares a JSON Schema input (see JsonSchemaInput); it must describe an object. */
export function jsonSchemaInput<Args = Record<string, unknown>>(jsonSchema: Record<string, unknown>): JsonSchemaInput<Args> {
  if (jsonSchema.type !== undefined && jsonSchema.type !== "object") {
    throw new Error(`A tool's input schema must describe an object, not ${JSON.stringify(jsonSchema.type)}`);
  }
  return { jsonSchema };
}

/** What a tool's arguments may be described with: a zod object, or JSON Schema. */
export type ToolInput = z.ZodObject | JsonSchemaInput<unknown>;

/** The arguments a handler receives for an input schema. */
export type ArgsOf<In extends ToolInput> = In extends z.ZodObject ? z.output<In> : In extends JsonSchemaInput<infer Args> ? Args : never;

export function isJsonSchemaInput(input: ToolInput): input is JsonSchemaInput<unknown> {
  return !("_zod" in input) && "jsonSchema" in input;
}

export interface ToolDefinition<
  In extends ToolInput = z.ZodObject,
  Out extends z.ZodObject = z.ZodObject,
  Props = unknown,
  Result extends ToolReturn<z.output<Out>> = ToolResult<z.output<Out>>,
> {
  /** snake_case, unique within a server. */
  name: string;
  title?: string;
  description: string;
  inputSchema: In;
  outputSchema?: Out;
  annotations: ToolAnnotations;
  /** OAuth scopes a caller's token must carry to call this tool (checked by the server layer). */
  scopes?: readonly string[];
  /**
   * Runs as an MCP Task (the 2026-07-28 Tasks extension) for a client that declares it: the call
   * answers at once with a task id, and the handler runs durably on the server (see TaskOptions).
   */
  task?: TaskOptions;
  /**
   * The MCP Apps UI a host renders with this tool's results (a `defineUiResource` of the same
   * server). Hosts without the extension ignore it; the result must stand on its own.
   */
  ui?: ToolUi;
  handler(args: ArgsOf<In>, ctx: ToolContext<Props>): Promise<Result> | Result;
}

/** How a tool runs as a task. */
export interface TaskOptions {
  /**
   * `optional`: a task for a client that declares the extension, an ordinary call otherwise.
   * `required`: a client that does not declare it is refused (-32021), for work too long to hold a request.
   */
  support: "optional" | "required";
  /** How long the task and its result are kept after it is created, in ms (default 1 hour). */
  ttlMs?: number;
  /**
   * Input to gather before the task starts (SEP-2322 rounds, answered synchronously): return
   * `inputRequired(...)` to ask, undefined once every answer is in `ctx.inputResponses`; the task's
   * handler then sees the same answers.
   */
  gather?(args: Record<string, unknown>, ctx: ToolContext): InputRequiredResult | undefined | Promise<InputRequiredResult | undefined>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of tools erases their schema types.
export type AnyTool = ToolDefinition<any, any, any, any>;

/** Declares a tool; the identity function exists so TypeScript infers the handler's argument and result types. */
export function defineTool<
  In extends ToolInput,
  Out extends z.ZodObject,
  Props = unknown,
  Result extends ToolReturn<z.output<Out>> = ToolResult<z.output<Out>>,
>(tool: ToolDefinition<In, Out, Props, Result>): ToolDefinition<In, Out, Props, Result> {
  return tool;
}

/** A successful result: the structured value, and a text block for clients that only read text. */
export function toolResult<Out extends Record<string, unknown>>(structured: Out, text?: string): ToolResult<Out> {
  return { content: [{ type: "text", text: text ?? JSON.stringify(structured) }], structuredContent: structured };
}

/** An error the model can act on: a result with `isError: true`, never a thrown exception. */
export function toolError(message: string): ToolResult<never> {
  return { content: [{ type: "text", text: message }], isError: true };
}
