import { completeFrom, definePrompt, userMessages } from "@remote-mcp-workers/mcp-core";
import * as z from "zod";

export const LESSON_TOPICS = [
  "addition",
  "subtraction",
  "multiplication",
  "division",
  "fractions",
  "percentages",
  "order of operations",
  "negative numbers",
] as const;

const LEVELS = ["beginner", "intermediate", "advanced"] as const;

/** A prompt with completable arguments: a short arithmetic lesson checked with the calculator tools. */
export const mathLesson = definePrompt({
  name: "math_lesson",
  title: "Arithmetic lesson",
  description: "Asks the model for a short arithmetic lesson on a topic, with worked examples it checks with the calculator tools.",
  arguments: z.object({
    topic: z
      .string()
      .min(1)
      .max(100)
      .describe(`What to teach, e.g. ${LESSON_TOPICS.slice(0, 3).join(", ")}`),
    level: z.enum(LEVELS).optional().describe("beginner (default), intermediate or advanced"),
  }),
  complete: {
    topic: (typed) => completeFrom(LESSON_TOPICS, typed),
    level: (typed) => completeFrom(LEVELS, typed),
  },
  handler: ({ topic, level }) =>
    userMessages(
      `Teach me ${topic} at ${level ?? "beginner"} level in five short steps.`,
      "Give three worked examples, check every result with the `calculate` tool, and end with one exercise for me.",
    ),
});
