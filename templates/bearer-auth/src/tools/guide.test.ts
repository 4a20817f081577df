import { describe, expect, it } from "vitest";
import { renderUsageGuide, usageGuide } from "./guide.js";
import { mathLesson } from "./lesson.js";

const server = {
  name: "demo",
  title: "Demo server",
  version: "1.2.3",
  instructions: "A calculator.",
  tools: [{ name: "add", description: "Adds two numbers." }],
  prompts: [{ name: "math_lesson", description: "A lesson.", arguments: ["topic", "level"] }],
  resources: [{ uri: "docs://usage-guide", name: "usage-guide", description: "This guide." }],
};

describe("usage guide", () => {
  it("renders the server's own tools, prompts and resources as markdown", () => {
    const text = renderUsageGuide(server);
    expect(text).toMatch(/^# Demo server\n\nA calculator\.\n/);
    expect(text).toContain("- `add`: Adds two numbers.");
    expect(text).toContain("- `math_lesson` (arguments: `topic`, `level`): A lesson.");
    expect(text).toContain("- `docs://usage-guide` (usage-guide): This guide.");
    expect(text).toContain("Server version 1.2.3.");
  });

  it("is a text/markdown resource read from the serving server", async () => {
    expect(usageGuide.mimeType).toBe("text/markdown");
    const ctx = { props: undefined, scopes: [], env: {}, signal: new AbortController().signal, server };
    expect(await usageGuide.read(ctx)).toEqual({ text: renderUsageGuide(server) });
  });
});

describe("math_lesson prompt", () => {
  it("completes topics and levels from what was typed", async () => {
    expect(await mathLesson.complete?.topic?.("fr", { arguments: {} })).toEqual(["fractions"]);
    expect(await mathLesson.complete?.level?.("", { arguments: {} })).toEqual(["beginner", "intermediate", "advanced"]);
  });

  it("validates its arguments and fills the lesson", async () => {
    expect(mathLesson.arguments?.safeParse({ topic: "" }).success).toBe(false);
    expect(mathLesson.arguments?.safeParse({ topic: "fractions", level: "expert" }).success).toBe(false);
    const ctx = { props: undefined, scopes: [], env: {}, signal: new AbortController().signal };
    const result = await mathLesson.handler({ topic: "fractions", level: undefined }, ctx);
    expect(JSON.stringify(result)).toContain("Teach me fractions at beginner level");
  });
});
