import { describe, expect, it } from "vitest";
import * as z from "zod";
import { definePrompt, userMessages } from "./prompt.js";

describe("prompts", () => {
  it("builds user messages", () => {
    expect(userMessages("a", "b")).toEqual({
      messages: [
        { role: "user", content: { type: "text", text: "a" } },
        { role: "user", content: { type: "text", text: "b" } },
      ],
    });
  });

  it("infers argument types for the handler", async () => {
    const greet = definePrompt({
      name: "greet",
      description: "Greets someone",
      arguments: z.object({ who: z.string().describe("Whom to greet") }),
      complete: { who: (typed) => ["Ada", "Alan"].filter((name) => name.startsWith(typed)) },
      handler: ({ who }) => userMessages(`Hello ${who}`),
    });
    const ctx = { props: undefined, scopes: [], env: {}, signal: new AbortController().signal };
    expect(await greet.handler({ who: "Ada" }, ctx)).toEqual(userMessages("Hello Ada"));
    expect(await greet.complete?.who?.("A", { arguments: {} })).toEqual(["Ada", "Alan"]);
  });
});
