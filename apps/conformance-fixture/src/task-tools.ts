import { ProtocolError } from "@modelcontextprotocol/server";
import { ask, defineTool, type ElicitationSchema, elicitation, elicited, inputRequired, toolError, toolResult } from "@repo/mcp-core";
import * as z from "zod";

/**
 * Fixtures of the Tasks extension scenarios (tasks-*, SEP-2663), run by the same task runner as
 * the apps' task tools (libs/mcp-app task-runner.ts, a Durable Object per task).
 */

const fixture = { readOnlyHint: true, openWorldHint: false, destructiveHint: false } as const;

/** Resolves after `ms`, or rejects as soon as `signal` aborts (a cancelled task stops its work). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
  });
}

const nameForm: ElicitationSchema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };
const userName = z.object({ name: z.string() });
const confirmForm: ElicitationSchema = { type: "object", properties: { confirm: { type: "boolean" } }, required: ["confirm"] };

export const taskTools = [
  defineTool({
    name: "greet",
    description: "Says hello; never a task (tasks-* scenarios' sync tool).",
    inputSchema: z.object({ name: z.string() }),
    annotations: fixture,
    handler: ({ name }) => toolResult({ greeting: `Hello, ${name}!` }, `Hello, ${name}!`),
  }),
  defineTool({
    name: "slow_compute",
    description: "Sleeps `seconds` seconds, then answers; a task for clients that declare the extension.",
    inputSchema: z.object({ seconds: z.number().min(0).max(600), label: z.string().optional() }),
    annotations: fixture,
    task: { support: "optional" },
    async handler({ seconds, label }, ctx) {
      for (let elapsed = 0; elapsed < seconds; elapsed++) {
        await sleep(1000, ctx.signal);
        await ctx.progress(elapsed + 1, seconds);
      }
      return toolResult({ seconds, label: label ?? null }, `Computed ${label ?? "result"} after ${seconds} s.`);
    },
  }),
  defineTool({
    name: "failing_job",
    description: "Runs only as a task and ends in a tool error after about a second.",
    inputSchema: z.object({}),
    annotations: fixture,
    task: { support: "required" },
    async handler(_, ctx) {
      await sleep(1000, ctx.signal);
      return toolError("The job failed, as it always does.");
    },
  }),
  defineTool({
    name: "protocol_error_job",
    description: "Runs as a task and fails with a protocol error.",
    inputSchema: z.object({}),
    annotations: fixture,
    task: { support: "optional" },
    async handler(_, ctx) {
      await sleep(200, ctx.signal);
      throw new ProtocolError(-32603, "The job hit an internal error, as it always does.");
    },
  }),
  defineTool({
    name: "confirm_delete",
    description: "A task that asks the user to confirm (one elicitation), then answers.",
    inputSchema: z.object({ path: z.string().optional() }),
    annotations: fixture,
    task: { support: "optional" },
    handler({ path }, ctx) {
      const answer = elicitation(ctx, "confirm");
      if (answer?.action === "accept") {
        const confirmed = answer.content?.confirm === true;
        return toolResult({ deleted: confirmed }, confirmed ? `Deleted ${path ?? "it"}.` : "Kept it.");
      }
      if (answer) return toolResult({ deleted: false }, `Not deleted: the user chose ${answer.action}.`);
      return inputRequired({ inputRequests: { confirm: ask.elicit(`Delete ${path ?? "the file"}?`, confirmForm) } });
    },
  }),
  defineTool({
    name: "multi_input",
    description: "A task that asks two questions at once, then answers with both.",
    inputSchema: z.object({}),
    annotations: fixture,
    task: { support: "optional" },
    handler(_, ctx) {
      const form: ElicitationSchema = { type: "object", properties: { value: { type: "string" } }, required: ["value"] };
      const first = elicitation(ctx, "first");
      const second = elicitation(ctx, "second");
      if (first && second) return toolResult({ first: first.content ?? first.action, second: second.content ?? second.action });
      return inputRequired({ inputRequests: { first: ask.elicit("First value?", form), second: ask.elicit("Second value?", form) } });
    },
  }),

  defineTool({
    name: "test_tool_with_task",
    description: "Asks for a name (an input round), then runs as a task that greets it (tasks-mrtr-composition).",
    inputSchema: z.object({}),
    annotations: fixture,
    task: {
      support: "required",
      gather: (_, ctx) =>
        elicited(ctx, "user_name", userName)
          ? undefined
          : inputRequired({ inputRequests: { user_name: ask.elicit("What is your name?", nameForm) } }),
    },
    async handler(_, ctx) {
      await sleep(300, ctx.signal);
      const name = elicited(ctx, "user_name", userName)?.name ?? "whoever you are";
      return toolResult({ greeting: `Hello, ${name}!` }, `Hello, ${name}! (from a task)`);
    },
  }),
];
