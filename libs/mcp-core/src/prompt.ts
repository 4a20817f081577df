import type * as z from "zod";
import type { InputContext, InputRequiredResult } from "./input.js";
import type { Completer } from "./resource.js";
import type { ContentBlock } from "./tool.js";

/**
 * Prompts: message templates a user picks in the client (a slash command), filled in with
 * arguments. Arguments are strings on the wire; a completer per argument powers the client's
 * autocompletion through `completion/complete`.
 */

/** What a prompt handler may use: the caller, the Worker, and answers to earlier input requests. */
export interface PromptContext<Props = unknown> extends InputContext {
  props: Props;
  scopes: readonly string[];
  signal: AbortSignal;
  env: unknown;
}

export interface PromptMessage {
  role: "user" | "assistant";
  content: ContentBlock;
}

export interface PromptResult {
  description?: string;
  messages: PromptMessage[];
}

export interface PromptDefinition<Args extends z.ZodObject = z.ZodObject, Props = unknown> {
  /** snake_case, unique within a server. */
  name: string;
  title?: string;
  description: string;
  /** String fields only (the protocol passes prompt arguments as strings); `.describe()` each one. */
  arguments?: Args;
  /** Completion for some of the arguments (advertises the `completions` capability). */
  complete?: Partial<Record<keyof z.output<Args> & string, Completer>>;
  /** OAuth scopes a caller's token must carry to get this prompt. */
  scopes?: readonly string[];
  handler(
    args: z.output<Args>,
    ctx: PromptContext<Props>,
  ): Promise<PromptResult | InputRequiredResult> | PromptResult | InputRequiredResult;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of prompts erases their argument types.
export type AnyPrompt = PromptDefinition<any, any>;

/** Declares a prompt; the identity function exists so TypeScript infers the handler's argument types. */
export function definePrompt<Args extends z.ZodObject, Props = unknown>(
  prompt: PromptDefinition<Args, Props>,
): PromptDefinition<Args, Props> {
  return prompt;
}

/** A prompt result made of user messages, one per text. */
export function userMessages(...texts: string[]): PromptResult {
  return { messages: texts.map((text) => ({ role: "user", content: { type: "text", text } })) };
}
