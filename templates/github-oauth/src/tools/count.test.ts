import type { ToolContext } from "@remote-mcp-workers/mcp-core";
import { describe, expect, it } from "vitest";
import { COUNT_LIMITS, countSlowly, sleep } from "./count.js";

function context(signal = new AbortController().signal) {
  const progress: Array<[number, number | undefined, string | undefined]> = [];
  const ctx = {
    props: undefined,
    scopes: [],
    env: {},
    signal,
    progress: async (done: number, total?: number, message?: string) => {
      progress.push([done, total, message]);
    },
    log: async () => {},
  } satisfies ToolContext;
  return { ctx, progress };
}

describe("count_slowly", () => {
  it("reports progress after every step and returns the count", async () => {
    const { ctx, progress } = context();
    const result = await countSlowly.handler(countSlowly.inputSchema.parse({ to: 3, delayMs: 1 }), ctx);
    expect(result).toEqual({ content: [{ type: "text", text: "Counted to 3." }], structuredContent: { counted: 3 } });
    expect(progress).toEqual([
      [1, 3, "Counted 1 of 3"],
      [2, 3, "Counted 2 of 3"],
      [3, 3, "Counted 3 of 3"],
    ]);
  });

  it("stops at the next step once the call is cancelled", async () => {
    const controller = new AbortController();
    const { ctx, progress } = context(controller.signal);
    setTimeout(() => controller.abort(new Error("cancelled")), 30);
    const started = Date.now();
    const result = await countSlowly.handler(countSlowly.inputSchema.parse({ to: 10, delayMs: 20 }), ctx);
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^Cancelled after counting to \d of 10\.$/);
    expect(progress.length).toBeLessThan(10);
    expect(Date.now() - started).toBeLessThan(150);
  });

  it("bounds the number of steps and the delay", () => {
    expect(countSlowly.inputSchema.safeParse({ to: COUNT_LIMITS.maxSteps + 1 }).success).toBe(false);
    expect(countSlowly.inputSchema.safeParse({ delayMs: COUNT_LIMITS.maxDelayMs + 1 }).success).toBe(false);
    expect(countSlowly.inputSchema.safeParse({ to: 0 }).success).toBe(false);
    expect(countSlowly.inputSchema.parse({})).toEqual({ to: 5, delayMs: 500 });
  });

  it("sleep rejects at once on an aborted signal", async () => {
    await expect(sleep(1000, AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
  });
});
