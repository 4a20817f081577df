import * as z from "zod";

/**
 * Asking the client for input in the middle of a call (elicitation, sampling, roots), written
 * once for both protocol eras: a handler returns `inputRequired(...)`; a 2026-07-28 client
 * answers and calls again with `inputResponses`, and on a 2025-era session the server layer
 * asks the client itself and calls the handler again with the answers.
 */

/** The restricted JSON Schema an elicitation form may use: a flat object of primitive fields. */
export interface ElicitationSchema {
  type: "object";
  properties: Record<string, Record<string, unknown>>;
  required?: string[];
  [extra: string]: unknown;
}

export interface ElicitInputRequest {
  method: "elicitation/create";
  params: { message: string; requestedSchema: ElicitationSchema; [extra: string]: unknown };
}

export interface SamplingMessage {
  role: "user" | "assistant";
  content: { type: "text"; text: string } | { type: "image" | "audio"; data: string; mimeType: string };
}

export interface SamplingInputRequest {
  method: "sampling/createMessage";
  params: { messages: SamplingMessage[]; maxTokens: number; systemPrompt?: string; [extra: string]: unknown };
}

export interface RootsInputRequest {
  method: "roots/list";
  params?: Record<string, never>;
}

export type InputRequest = ElicitInputRequest | SamplingInputRequest | RootsInputRequest;

/** The client capability each kind of input request needs. */
export const capabilityFor = {
  "elicitation/create": "elicitation",
  "sampling/createMessage": "sampling",
  "roots/list": "roots",
} as const satisfies Record<InputRequest["method"], string>;

/** "Call me again with these answers": MCP's InputRequiredResult (protocol 2026-07-28). */
export interface InputRequiredResult {
  resultType: "input_required";
  inputRequests?: Record<string, InputRequest>;
  /** Opaque to the client; the server layer signs it and checks the signature when it comes back. */
  requestState?: string;
  [extra: string]: unknown;
}

/** Builds an input-required result; at least one of `inputRequests` (non-empty) or `requestState` is required. */
export function inputRequired(spec: { inputRequests?: Record<string, InputRequest>; requestState?: string }): InputRequiredResult {
  const hasRequests = spec.inputRequests !== undefined && Object.keys(spec.inputRequests).length > 0;
  if (!hasRequests && spec.requestState === undefined) {
    throw new TypeError("inputRequired() needs at least one input request or a requestState");
  }
  return {
    resultType: "input_required",
    ...(hasRequests && { inputRequests: spec.inputRequests }),
    ...(spec.requestState !== undefined && { requestState: spec.requestState }),
  };
}

export function isInputRequired(value: unknown): value is InputRequiredResult {
  return typeof value === "object" && value !== null && (value as { resultType?: unknown }).resultType === "input_required";
}

/** Builders for the input requests a handler can make. */
export const ask = {
  /** A form the user fills in (elicitation). */
  elicit(message: string, requestedSchema: ElicitationSchema): ElicitInputRequest {
    return { method: "elicitation/create", params: { message, requestedSchema } };
  },
  /** A completion from the client's model (sampling). */
  sample(prompt: string, maxTokens: number): SamplingInputRequest {
    return {
      method: "sampling/createMessage",
      params: { messages: [{ role: "user", content: { type: "text", text: prompt } }], maxTokens },
    };
  },
  /** The client's filesystem roots. */
  roots(): RootsInputRequest {
    return { method: "roots/list", params: {} };
  },
};

/** Where a handler finds the client's answers (a subset of ToolContext and PromptContext). */
export interface InputContext {
  clientCapabilities?: Readonly<Record<string, unknown>>;
  inputResponses?: Readonly<Record<string, unknown>>;
  requestState?: string;
}

/** True when the client declared the capability an input request of this kind needs. */
export function clientSupports(ctx: InputContext, method: InputRequest["method"]): boolean {
  const capability = ctx.clientCapabilities?.[capabilityFor[method]];
  return typeof capability === "object" && capability !== null;
}

const elicitResult = z.object({
  action: z.enum(["accept", "decline", "cancel"]),
  content: z.record(z.string(), z.unknown()).optional(),
});

/** The user's answer to an elicitation, or undefined when there is none (or it is malformed). */
export function elicitation(ctx: InputContext, key: string): z.output<typeof elicitResult> | undefined {
  const parsed = elicitResult.safeParse(ctx.inputResponses?.[key]);
  return parsed.success ? parsed.data : undefined;
}

/** The accepted form content, validated against `schema`; undefined when declined, cancelled, missing or invalid. */
export function elicited<S extends z.ZodType>(ctx: InputContext, key: string, schema: S): z.output<S> | undefined {
  const answer = elicitation(ctx, key);
  if (answer?.action !== "accept") return undefined;
  const parsed = schema.safeParse(answer.content);
  return parsed.success ? parsed.data : undefined;
}

const samplingResult = z.object({ content: z.object({ type: z.literal("text"), text: z.string() }) });

/** The text the client's model produced, or undefined. */
export function sampledText(ctx: InputContext, key: string): string | undefined {
  const parsed = samplingResult.safeParse(ctx.inputResponses?.[key]);
  return parsed.success ? parsed.data.content.text : undefined;
}

const rootsResult = z.object({ roots: z.array(z.object({ uri: z.string(), name: z.string().optional() })) });

/** The roots the client listed, or undefined. */
export function listedRoots(ctx: InputContext, key: string): z.output<typeof rootsResult>["roots"] | undefined {
  const parsed = rootsResult.safeParse(ctx.inputResponses?.[key]);
  return parsed.success ? parsed.data.roots : undefined;
}
