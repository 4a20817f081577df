import type * as z from "zod";

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

/** What a tool handler returns: MCP's CallToolResult, narrowed to what these tools produce. */
export interface ToolResult<Out = Record<string, unknown>> {
  content: TextContent[];
  structuredContent?: Out;
  isError?: boolean;
  [extra: string]: unknown;
}

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
}

export interface ToolDefinition<In extends z.ZodObject = z.ZodObject, Out extends z.ZodObject = z.ZodObject, Props = unknown> {
  /** snake_case, unique within a server. */
  name: string;
  title?: string;
  description: string;
  inputSchema: In;
  outputSchema?: Out;
  annotations: ToolAnnotations;
  /** OAuth scopes a caller's token must carry to call this tool (checked by the server layer). */
  scopes?: readonly string[];
  handler(args: z.output<In>, ctx: ToolContext<Props>): Promise<ToolResult<z.output<Out>>> | ToolResult<z.output<Out>>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of tools erases their schema types.
export type AnyTool = ToolDefinition<any, any, any>;

/** Declares a tool; the identity function exists so TypeScript infers the handler's argument types. */
export function defineTool<In extends z.ZodObject, Out extends z.ZodObject, Props = unknown>(
  tool: ToolDefinition<In, Out, Props>,
): ToolDefinition<In, Out, Props> {
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
