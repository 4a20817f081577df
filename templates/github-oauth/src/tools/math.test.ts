import type { ToolContext } from "@remote-mcp-workers/mcp-core";
import { describe, expect, it } from "vitest";
import { add, calculate } from "./math.js";

const ctx = {
  props: undefined,
  scopes: [],
  env: {},
  signal: new AbortController().signal,
  progress: async () => {},
  log: async () => {},
} satisfies ToolContext;

const run = (tool: typeof add | typeof calculate, args: unknown) => tool.handler(tool.inputSchema.parse(args) as never, ctx);

describe("add", () => {
  it("returns the sum as structured content and text", async () => {
    expect(await run(add, { a: 2, b: 3 })).toEqual({ content: [{ type: "text", text: "2 + 3 = 5" }], structuredContent: { result: 5 } });
  });

  it("refuses results beyond the exact-integer range instead of returning a wrong number", async () => {
    const result = await run(add, { a: Number.MAX_SAFE_INTEGER, b: 2 });
    expect(result.isError).toBe(true);
    expect(result.content[0]?.text).toMatch(/^Overflow: .* exceeds ±9007199254740991/);
  });

  it("reports overflow to infinity as a tool error", async () => {
    const result = await run(add, { a: Number.MAX_VALUE, b: Number.MAX_VALUE });
    expect(result).toEqual({ isError: true, content: [{ type: "text", text: expect.stringMatching(/^Overflow: .* too large/) }] });
  });

  it("rejects non-numbers, NaN and infinities at the schema", () => {
    for (const bad of [{ a: "1", b: 2 }, { a: Number.NaN, b: 1 }, { a: Number.POSITIVE_INFINITY, b: 1 }, { a: 1 }]) {
      expect(add.inputSchema.safeParse(bad).success).toBe(false);
    }
  });
});

describe("calculate", () => {
  it.each([
    ["add", 7, 5, 12],
    ["subtract", 7, 5, 2],
    ["multiply", 7, 5, 35],
    ["divide", 7, 2, 3.5],
    ["subtract", 0, 0, 0],
    ["multiply", -0, 5, 0],
  ] as const)("%s %d %d = %d", async (operation, a, b, expected) => {
    const result = await run(calculate, { operation, a, b });
    expect(result.isError).toBeUndefined();
    expect(result.structuredContent).toEqual({ result: expected });
    expect(Object.is(result.structuredContent?.result, -0)).toBe(false);
  });

  it("refuses division by zero with a clear message", async () => {
    expect(await run(calculate, { operation: "divide", a: 1, b: 0 })).toEqual({
      isError: true,
      content: [{ type: "text", text: "Cannot divide 1 by zero." }],
    });
  });

  it("refuses an integer product beyond 2^53", async () => {
    const result = await run(calculate, { operation: "multiply", a: 2 ** 30, b: 2 ** 30 });
    expect(result.isError).toBe(true);
  });

  it("rejects an unknown operation at the schema", () => {
    expect(calculate.inputSchema.safeParse({ operation: "power", a: 2, b: 3 }).success).toBe(false);
  });

  it("describes every tool and its arguments", () => {
    for (const tool of [add, calculate]) {
      expect(tool.description.length).toBeGreaterThan(10);
      expect(tool.annotations.readOnlyHint).toBe(true);
      for (const field of Object.values(tool.inputSchema.shape)) expect((field as { description?: string }).description).toBeTruthy();
    }
  });
});
