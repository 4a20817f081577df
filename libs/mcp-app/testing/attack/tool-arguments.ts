import { describe, expect, it } from "vitest";
import type { AttackContext } from "./context.js";
import { rpcError, versionHeader } from "./shared.js";

/** Tool arguments the schema refuses: an isError result the model can act on, or -32602 for a malformed call. */
export function toolArgumentCases(ctx: AttackContext): void {
  const { mcpPost } = ctx;

  describe("tool arguments", () => {
    const validation = (detail: string) => ({
      jsonrpc: "2.0",
      id: 7,
      result: { isError: true, content: [{ type: "text", text: `Input validation error: Invalid arguments for tool add: ${detail}` }] },
    });
    it.each([
      ["a string for a number", { a: "1", b: 2 }, "a: Invalid input: expected number, received string"],
      ["1e309 (Infinity once parsed)", "INFINITY", "a: Invalid input: expected number, received Infinity"],
      ["a missing argument", { a: 1 }, "b: Invalid input: expected number, received undefined"],
      [
        "no arguments at all",
        undefined,
        "a: Invalid input: expected number, received undefined, b: Invalid input: expected number, received undefined",
      ],
      ["null for a number", { a: null, b: 2 }, "a: Invalid input: expected number, received null"],
    ])("%s: an isError result that says what is wrong", async (_, args, detail) => {
      const body =
        args === "INFINITY"
          ? '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":1e309,"b":1}}}'
          : { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "add", ...(args !== undefined && { arguments: args }) } };
      const { response, body: text } = await mcpPost(body, { ...ctx.credentials, ...versionHeader });
      expect(response.status).toBe(200);
      expect(JSON.parse(text)).toEqual(validation(detail));
    });

    it("on the 2026-07-28 era too: a string for a number is an isError result, an unknown tool -32602", async () => {
      const modern = (params: { name: string; arguments: unknown }) => ctx.callToolModern(params, ctx.credentials);
      const invalid = await modern({ name: "add", arguments: { a: "1", b: 2 } });
      expect(invalid.response.status).toBe(200);
      expect(JSON.parse(invalid.body)).toEqual({
        jsonrpc: "2.0",
        id: 7,
        result: {
          ...validation("a: Invalid input: expected number, received string").result,
          resultType: "complete",
          _meta: expect.any(Object),
        },
      });
      const unknown = await modern({ name: "subtract_all", arguments: {} });
      expect(JSON.parse(unknown.body)).toEqual({
        jsonrpc: "2.0",
        id: 7,
        error: { code: -32602, message: "Tool subtract_all not found" },
      });
    });

    it("NaN (not JSON): 400, -32700", async () => {
      const { response, body } = await mcpPost(
        '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":NaN,"b":1}}}',
        { ...ctx.credentials, ...versionHeader },
      );
      expect(response.status).toBe(400);
      expect(rpcError(body).error.code).toBe(-32700);
    });

    it.each([
      ["arguments as an array", { name: "add", arguments: [1, 2] }],
      ["a tool name that is a number", { name: 5, arguments: {} }],
      ["an unknown tool", { name: "subtract_all", arguments: {} }],
    ])("%s: JSON-RPC error -32602", async (_, params) => {
      const { response, body } = await mcpPost(
        { jsonrpc: "2.0", id: 7, method: "tools/call", params },
        { ...ctx.credentials, ...versionHeader },
      );
      expect(response.status).toBe(200);
      expect(rpcError(body).error.code).toBe(-32602);
    });
  });
}
