import {
  ask,
  clientSupports,
  defineTool,
  type ElicitationSchema,
  elicitation,
  elicited,
  type InputRequest,
  inputRequired,
  listedRoots,
  sampledText,
  toolError,
  toolResult,
} from "@repo/mcp-core";
import * as z from "zod";

/**
 * Fixtures that ask the client for input mid-call. Written once with inputRequired(): a
 * 2026-07-28 client answers and calls again; on a 2025-era session (/sse) the server layer asks
 * the client itself. A stateless 2025-era request on /mcp knows no client capabilities, so these
 * tools answer it with an error result instead of asking.
 */

const noArguments = z.object({});
const fixture = { readOnlyHint: true, openWorldHint: false, destructiveHint: false } as const;

const nameForm: ElicitationSchema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };
const named = z.object({ name: z.string() });
const colorForm: ElicitationSchema = { type: "object", properties: { color: { type: "string" } }, required: ["color"] };

const unsupported = (what: string) =>
  toolError(
    `This client has not declared the ${what} capability for this request, so the tool cannot ask for input. (A stateless 2025-era request carries no capabilities: connect over /sse or with protocol 2026-07-28.)`,
  );

/** (Re)asks for input; a missing or malformed answer is asked for again rather than failing the call. */
function reask(requests: Record<string, InputRequest>, requestState?: string) {
  return inputRequired({ inputRequests: requests, ...(requestState !== undefined && { requestState }) });
}

export const inputTools = [
  // 2025-11-25 scenarios (tools-call-elicitation, tools-call-sampling, elicitation-sep1034/1330).
  defineTool({
    name: "test_elicitation",
    description: "Asks the user for a username and email with an elicitation form (tools-call-elicitation).",
    inputSchema: z.object({ message: z.string().describe("The message to show the user") }),
    annotations: fixture,
    handler({ message }, ctx) {
      const answer = elicitation(ctx, "response");
      if (answer)
        return toolResult(
          { action: answer.action },
          `User response: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`,
        );
      if (!clientSupports(ctx, "elicitation/create")) return unsupported("elicitation");
      return inputRequired({
        inputRequests: {
          response: ask.elicit(message, {
            type: "object",
            properties: {
              username: { type: "string", description: "User's response" },
              email: { type: "string", description: "User's email address" },
            },
            required: ["username", "email"],
          }),
        },
      });
    },
  }),
  defineTool({
    name: "test_sampling",
    description: "Asks the client's model to complete a prompt (tools-call-sampling).",
    inputSchema: z.object({ prompt: z.string().describe("The prompt to send to the LLM") }),
    annotations: fixture,
    handler({ prompt }, ctx) {
      const text = sampledText(ctx, "completion");
      if (text !== undefined) return toolResult({ response: text }, `LLM response: ${text}`);
      if (!clientSupports(ctx, "sampling/createMessage")) return unsupported("sampling");
      return inputRequired({ inputRequests: { completion: ask.sample(prompt, 100) } });
    },
  }),
  defineTool({
    name: "test_elicitation_sep1034_defaults",
    description: "Elicits a form whose primitive fields all carry default values (elicitation-sep1034-defaults).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const answer = elicitation(ctx, "form");
      if (answer)
        return toolResult(
          { action: answer.action },
          `Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`,
        );
      if (!clientSupports(ctx, "elicitation/create")) return unsupported("elicitation");
      return inputRequired({
        inputRequests: {
          form: ask.elicit("Please review and update the form fields with defaults", {
            type: "object",
            properties: {
              name: { type: "string", description: "User name", default: "John Doe" },
              age: { type: "integer", description: "User age", default: 30 },
              score: { type: "number", description: "User score", default: 95.5 },
              status: { type: "string", description: "User status", enum: ["active", "inactive", "pending"], default: "active" },
              verified: { type: "boolean", description: "Verification status", default: true },
            },
            required: [],
          }),
        },
      });
    },
  }),
  defineTool({
    name: "test_elicitation_sep1330_enums",
    description:
      "Elicits a form with all five enum shapes: untitled, titled and legacy single-select, untitled and titled multi-select (elicitation-sep1330-enums).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const answer = elicitation(ctx, "form");
      if (answer)
        return toolResult(
          { action: answer.action },
          `Elicitation completed: action=${answer.action}, content=${JSON.stringify(answer.content ?? {})}`,
        );
      if (!clientSupports(ctx, "elicitation/create")) return unsupported("elicitation");
      return inputRequired({
        inputRequests: {
          form: ask.elicit("Please choose from the enum fields", {
            type: "object",
            properties: {
              untitledSingle: { type: "string", description: "Untitled single-select", enum: ["option1", "option2", "option3"] },
              titledSingle: {
                type: "string",
                description: "Titled single-select",
                oneOf: [
                  { const: "value1", title: "First Option" },
                  { const: "value2", title: "Second Option" },
                  { const: "value3", title: "Third Option" },
                ],
              },
              legacyEnum: {
                type: "string",
                description: "Legacy titled single-select",
                enum: ["opt1", "opt2", "opt3"],
                enumNames: ["Option One", "Option Two", "Option Three"],
              },
              untitledMulti: {
                type: "array",
                description: "Untitled multi-select",
                items: { type: "string", enum: ["option1", "option2", "option3"] },
              },
              titledMulti: {
                type: "array",
                description: "Titled multi-select",
                items: {
                  anyOf: [
                    { const: "value1", title: "First Choice" },
                    { const: "value2", title: "Second Choice" },
                    { const: "value3", title: "Third Choice" },
                  ],
                },
              },
            },
            required: [],
          }),
        },
      });
    },
  }),

  // 2026-07-28 scenarios (input-required-result-*, server-stateless).
  defineTool({
    name: "test_input_required_result_elicitation",
    description: "Asks for the user's name, then greets them (input-required-result-basic-elicitation and friends).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const answer = elicited(ctx, "user_name", named);
      if (answer) return toolResult({ name: answer.name }, `Hello, ${answer.name}!`);
      return reask({ user_name: ask.elicit("What is your name?", nameForm) });
    },
  }),
  defineTool({
    name: "test_input_required_result_sampling",
    description: "Asks the client's model for the capital of France (input-required-result-basic-sampling).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const text = sampledText(ctx, "capital_question");
      if (text !== undefined) return toolResult({ answer: text }, `The model answered: ${text}`);
      return reask({ capital_question: ask.sample("What is the capital of France?", 100) });
    },
  }),
  defineTool({
    name: "test_input_required_result_list_roots",
    description: "Asks the client for its roots, then lists them (input-required-result-basic-list-roots).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const roots = listedRoots(ctx, "client_roots");
      if (roots)
        return toolResult({ roots: roots.map((root) => root.uri) }, `Roots: ${roots.map((root) => root.uri).join(", ") || "(none)"}`);
      return reask({ client_roots: ask.roots() });
    },
  }),
  defineTool({
    name: "test_input_required_result_request_state",
    description: "Asks for a confirmation and carries requestState across the round trip (input-required-result-request-state).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const confirmed = elicited(ctx, "confirm", z.object({ ok: z.boolean() }));
      if (confirmed && ctx.requestState === "awaiting-confirmation") {
        return toolResult({ ok: confirmed.ok }, `state-ok: the server's requestState came back intact; ok=${confirmed.ok}`);
      }
      const form: ElicitationSchema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
      return reask({ confirm: ask.elicit("Please confirm", form) }, "awaiting-confirmation");
    },
  }),
  defineTool({
    name: "test_input_required_result_multiple_inputs",
    description:
      "Asks for a name, a model-written greeting and the client's roots in one round (input-required-result-multiple-input-requests).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const name = elicited(ctx, "user_name", named)?.name;
      const greeting = sampledText(ctx, "greeting");
      const roots = listedRoots(ctx, "client_roots");
      if (name !== undefined && greeting !== undefined && roots !== undefined && ctx.requestState === "all-three") {
        return toolResult({ name, greeting, roots: roots.length }, `${greeting}, ${name}! You have ${roots.length} root(s).`);
      }
      return reask(
        {
          user_name: ask.elicit("What is your name?", nameForm),
          greeting: ask.sample("Generate a greeting", 50),
          client_roots: ask.roots(),
        },
        "all-three",
      );
    },
  }),
  defineTool({
    name: "test_input_required_result_multi_round",
    description: "Asks for a name, then a favourite colour, carrying the name in requestState (input-required-result-multi-round).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const state = ctx.requestState;
      if (state?.startsWith("round-2:")) {
        const color = elicited(ctx, "step2", z.object({ color: z.string() }))?.color;
        const name = state.slice("round-2:".length);
        if (color !== undefined) return toolResult({ name, color }, `${name} likes ${color}.`);
        return reask({ step2: ask.elicit("Step 2: What is your favorite color?", colorForm) }, state);
      }
      const name = state === "round-1" ? elicited(ctx, "step1", named)?.name : undefined;
      if (name !== undefined) {
        return reask({ step2: ask.elicit("Step 2: What is your favorite color?", colorForm) }, `round-2:${name}`);
      }
      return reask({ step1: ask.elicit("Step 1: What is your name?", nameForm) }, "round-1");
    },
  }),
  defineTool({
    name: "test_input_required_result_tampered_state",
    description:
      "Returns signed requestState; a modified state is refused with -32602 before the tool runs (input-required-result-tampered-state).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      if (ctx.requestState === "signed-by-the-server" && elicited(ctx, "confirm", z.object({ ok: z.boolean() }))) {
        return toolResult({ verified: true }, "The requestState was verified.");
      }
      const form: ElicitationSchema = { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] };
      return reask({ confirm: ask.elicit("Please confirm", form) }, "signed-by-the-server");
    },
  }),
  defineTool({
    name: "test_input_required_result_capabilities",
    description: "Asks only for the kinds of input the client declared it supports (input-required-result-capability-check).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const candidates: Record<string, InputRequest> = {
        user_name: ask.elicit("What is your name?", nameForm),
        greeting: ask.sample("Generate a greeting", 50),
        client_roots: ask.roots(),
      };
      const answered = Object.keys(candidates).filter((key) => ctx.inputResponses?.[key] !== undefined);
      const wanted = Object.entries(candidates).filter(([key, request]) => clientSupports(ctx, request.method) && !answered.includes(key));
      if (wanted.length === 0) {
        return toolResult(
          { answered: answered.length },
          `Done: ${answered.length} input(s) received from the client's declared capabilities.`,
        );
      }
      return reask(Object.fromEntries(wanted));
    },
  }),
  defineTool({
    name: "test_missing_capability",
    description: "Needs sampling; a client that did not declare it gets -32021 naming the capability (server-stateless).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const text = sampledText(ctx, "summary");
      if (text !== undefined) return toolResult({ summary: text }, text);
      // Asked regardless: the server layer refuses a request the client's capabilities do not cover.
      return inputRequired({ inputRequests: { summary: ask.sample("Summarize the conformance run.", 50) } });
    },
  }),
  defineTool({
    name: "test_streaming_elicitation",
    description:
      "Asks for input through an input_required result, never through a server-to-client request on the stream (server-stateless).",
    inputSchema: noArguments,
    annotations: fixture,
    handler(_args, ctx) {
      const answer = elicited(ctx, "user_name", named);
      if (answer) return toolResult({ name: answer.name }, `Hello, ${answer.name}!`);
      return reask({ user_name: ask.elicit("What is your name?", nameForm) });
    },
  }),
];
