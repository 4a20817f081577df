import { ask, definePrompt, elicited, inputRequired, userMessages } from "@repo/mcp-core";
import * as z from "zod";
import { PNG_BASE64 } from "./media.js";

/** The prompts the suite gets by name (prompts-* and completion-complete scenarios). */
export const fixturePrompts = [
  definePrompt({
    name: "test_simple_prompt",
    description: "A prompt without arguments (prompts-get-simple).",
    handler: () => userMessages("This is a simple prompt for testing."),
  }),
  definePrompt({
    name: "test_prompt_with_arguments",
    description: "A prompt with two required arguments, the first completable (prompts-get-with-args, completion-complete).",
    arguments: z.object({
      arg1: z.string().describe("First test argument"),
      arg2: z.string().describe("Second test argument"),
    }),
    complete: {
      arg1: (typed) => ["paris", "park", "party", "parcel"].filter((word) => word.startsWith(typed.toLowerCase())),
    },
    handler: ({ arg1, arg2 }) => userMessages(`Prompt with arguments: arg1='${arg1}', arg2='${arg2}'`),
  }),
  definePrompt({
    name: "test_prompt_with_embedded_resource",
    description: "A prompt that embeds the resource named by its argument (prompts-get-embedded-resource).",
    arguments: z.object({ resourceUri: z.string().describe("URI of the resource to embed") }),
    handler: ({ resourceUri }) => ({
      messages: [
        {
          role: "user",
          content: {
            type: "resource",
            resource: { uri: resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." },
          },
        },
        { role: "user", content: { type: "text", text: "Please process the embedded resource above." } },
      ],
    }),
  }),
  definePrompt({
    name: "test_prompt_with_image",
    description: "A prompt with an image message (prompts-get-with-image).",
    handler: () => ({
      messages: [
        { role: "user", content: { type: "image", data: PNG_BASE64, mimeType: "image/png" } },
        { role: "user", content: { type: "text", text: "Please analyze the image above." } },
      ],
    }),
  }),
  definePrompt({
    name: "test_input_required_result_prompt",
    description: "A prompt that first asks the user for context (input-required-result-non-tool-request).",
    handler(_args, ctx) {
      const answer = elicited(ctx, "user_context", z.object({ context: z.string() }));
      if (answer) return userMessages(`Use this context: ${answer.context}`);
      return inputRequired({
        inputRequests: {
          user_context: ask.elicit("What context should the prompt use?", {
            type: "object",
            properties: { context: { type: "string" } },
            required: ["context"],
          }),
        },
      });
    },
  }),
];
