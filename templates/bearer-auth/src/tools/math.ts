import { defineTool, TOOLS_SCOPE, type ToolResult, toolError, toolResult } from "@remote-mcp-workers/mcp-core";
import * as z from "zod";

/** calculate's MCP Apps view (calculator-ui.ts), linked from the tool by its URI. */
export const CALCULATOR_UI_URI = "ui://calculator/view";

const operand = (what: string) => z.number().describe(what);

const numericResult = z.object({ result: z.number().describe("The exact result of the operation") });

/**
 * Checks that a computed number is one a caller can trust: finite, and, when both operands
 * are exact integers, still inside the range where integers are exact.
 */
function checked(value: number, operands: readonly number[], expression: string): ToolResult<{ result: number }> {
  if (!Number.isFinite(value)) {
    return toolError(`Overflow: ${expression} is too large to represent as a finite number.`);
  }
  if (operands.every(Number.isSafeInteger) && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    return toolError(
      `Overflow: ${expression} exceeds ±${Number.MAX_SAFE_INTEGER}, beyond which integers are not exact; the result would be wrong.`,
    );
  }
  // -0 would print as "0" but compare oddly downstream; report it as 0.
  const result = Object.is(value, -0) ? 0 : value;
  return toolResult({ result }, `${expression} = ${result}`);
}

export const add = defineTool({
  name: "add",
  title: "Add two numbers",
  description: "Adds two numbers and returns their sum.",
  inputSchema: z.object({ a: operand("First addend"), b: operand("Second addend") }),
  outputSchema: numericResult,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false, destructiveHint: false },
  scopes: [TOOLS_SCOPE],
  handler: ({ a, b }) => checked(a + b, [a, b], `${a} + ${b}`),
});

const operations = {
  add: { symbol: "+", apply: (a: number, b: number) => a + b },
  subtract: { symbol: "-", apply: (a: number, b: number) => a - b },
  multiply: { symbol: "×", apply: (a: number, b: number) => a * b },
  divide: { symbol: "÷", apply: (a: number, b: number) => a / b },
} as const;

export const calculate = defineTool({
  name: "calculate",
  title: "Calculator",
  description:
    "Performs one arithmetic operation (add, subtract, multiply or divide) on two numbers. Division by zero and results too large to be exact are reported as errors.",
  inputSchema: z.object({
    operation: z.enum(["add", "subtract", "multiply", "divide"]).describe("The operation to perform"),
    a: operand("Left operand"),
    b: operand("Right operand"),
  }),
  outputSchema: numericResult,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false, destructiveHint: false },
  scopes: [TOOLS_SCOPE],
  ui: { resourceUri: CALCULATOR_UI_URI },
  handler: ({ operation, a, b }) => {
    const { symbol, apply } = operations[operation];
    if (operation === "divide" && b === 0) return toolError(`Cannot divide ${a} by zero.`);
    return checked(apply(a, b), [a, b], `${a} ${symbol} ${b}`);
  },
});

/** The calculator tool set every demo server offers. */
export const mathTools = [add, calculate] as const;
