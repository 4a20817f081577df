import { defineTool, TOOLS_SCOPE, toolError, toolResult } from "@remote-mcp-workers/mcp-core";
import * as z from "zod";

/** Upper bounds that keep one call under 30 s however it is called. */
export const COUNT_LIMITS = { maxSteps: 30, maxDelayMs: 1000 } as const;

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * A long-running tool: counts to N, one step per delay, reporting progress after every step
 * (when the client asked for progress) and stopping as soon as the call is cancelled. A client
 * that declares the Tasks extension (2026-07-28) gets a task instead of a held request: it polls
 * tasks/get for the count's progress and result, and tasks/cancel stops it.
 */
export const countSlowly = defineTool({
  name: "count_slowly",
  title: "Count slowly",
  description: `Counts from 1 to \`to\`, waiting \`delayMs\` between numbers and reporting progress after each one. Demonstrates progress notifications and cancellation, and runs as a task for clients that support MCP Tasks; at most ${COUNT_LIMITS.maxSteps} steps of at most ${COUNT_LIMITS.maxDelayMs} ms.`,
  inputSchema: z.object({
    to: z.number().int().min(1).max(COUNT_LIMITS.maxSteps).default(5).describe("The number to count to"),
    delayMs: z.number().int().min(0).max(COUNT_LIMITS.maxDelayMs).default(500).describe("Milliseconds to wait before each number"),
  }),
  outputSchema: z.object({ counted: z.number().describe("The last number reached") }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false, destructiveHint: false },
  scopes: [TOOLS_SCOPE],
  task: { support: "optional", ttlMs: 60 * 60 * 1000 },
  async handler({ to, delayMs }, ctx) {
    for (let step = 1; step <= to; step++) {
      try {
        await sleep(delayMs, ctx.signal);
      } catch {
        return toolError(`Cancelled after counting to ${step - 1} of ${to}.`);
      }
      await ctx.progress(step, to, `Counted ${step} of ${to}`);
    }
    await ctx.log("info", { event: "count_slowly", counted: to });
    return toolResult({ counted: to }, `Counted to ${to}.`);
  },
});
