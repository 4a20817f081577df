import { describe, expect, it } from "vitest";
import { initializeRequest } from "../http.js";
import { bodyLimitCases } from "./body-limits.js";
import type { AttackContext } from "./context.js";
import { sessionCapCases, sessionCases } from "./sessions.js";
import { rpcError, versionHeader } from "./shared.js";
import { toolArgumentCases } from "./tool-arguments.js";

/** Abuse of /mcp and /sse below the tools: Origin, JSON-RPC framing, body size, protocol version, sessions, arguments. */
export function transportCases(ctx: AttackContext): void {
  const { send, mcpPost } = ctx;

  describe("transport abuse on /mcp and /sse", () => {
    // POST /mcp and GET /sse from a foreign Origin and from Origin: null are the shared contract's cases.
    it.each([
      ["POST /sse/message", "from a foreign Origin", "https://attacker.example"],
      ["POST /sse/message", "from Origin: null", "null"],
      ["POST /sse/message", "from a rebinding name that looks like loopback", "http://127.0.0.1.nip.io"],
      ["POST /mcp", "from a rebinding name that looks like loopback", "http://127.0.0.1.nip.io"],
      ["GET /sse", "from a rebinding name that looks like loopback", "http://127.0.0.1.nip.io"],
    ])("%s %s: 403 before authentication is looked at", async (what, _, value) => {
      const headers = { ...ctx.credentials, Origin: value };
      const { response, body } =
        what === "GET /sse"
          ? await send("GET /sse", `${ctx.origin}/sse`, { headers: { ...headers, Accept: "text/event-stream" } })
          : await mcpPost(initializeRequest, headers, what === "POST /mcp" ? "/mcp" : "/sse/message?sessionId=x");
      expect(response.status).toBe(403);
      expect(JSON.parse(body)).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32000, message: "Forbidden: this Origin may not call the MCP endpoint" },
      });
    });

    it("a path below /mcp (/mcp/anything): the Origin check first, then the caller's credentials, then 404; no other route answers it", async () => {
      const foreign = await mcpPost(initializeRequest, { ...ctx.credentials, Origin: "https://attacker.example" }, "/mcp/anything");
      expect(foreign.response.status).toBe(403);
      expect(rpcError(foreign.body).error.message).toBe("Forbidden: this Origin may not call the MCP endpoint");
      const { response, body } = await mcpPost(initializeRequest, ctx.credentials, "/mcp/anything");
      expect(response.status).toBe(404);
      expect(rpcError(body).error).toEqual({ code: -32000, message: "Not Found" });
    });

    it("malformed JSON: 400, -32700 with id null", async () => {
      const { response, body } = await mcpPost('{"jsonrpc":"2.0","id":1,"method":"tools/list"', { ...ctx.credentials, ...versionHeader });
      expect(response.status).toBe(400);
      expect(JSON.parse(body)).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32700, message: "Parse error: the request body is not valid JSON" },
      });
    });

    it.each([
      ["an object that is not JSON-RPC", { hello: "world" }],
      ["a JSON string", "hello"],
      ["null", null],
      ["jsonrpc 1.0", { jsonrpc: "1.0", id: 1, method: "ping" }],
      ["an object as id", { jsonrpc: "2.0", id: { a: 1 }, method: "ping" }],
    ])("valid JSON that is not a JSON-RPC request (%s): 400, -32600", async (_, value) => {
      const { response, body } = await mcpPost(JSON.stringify(value), { ...ctx.credentials, ...versionHeader });
      expect(response.status).toBe(400);
      expect(rpcError(body).error.code).toBe(-32600);
    });

    it("a non-JSON content type: 415, -32600", async () => {
      const { response, body } = await send("POST /mcp text/plain", `${ctx.origin}/mcp`, {
        method: "POST",
        headers: { ...ctx.credentials, "Content-Type": "text/plain", Accept: "application/json, text/event-stream" },
        body: JSON.stringify(initializeRequest),
      });
      expect(response.status).toBe(415);
      expect(rpcError(body).error.code).toBe(-32600);
    });

    bodyLimitCases(ctx);

    it("an unknown method: -32601", async () => {
      const { response, body } = await mcpPost(
        { jsonrpc: "2.0", id: 3, method: "tools/explode", params: {} },
        { ...ctx.credentials, ...versionHeader },
      );
      expect(response.status).toBe(200);
      expect(JSON.parse(body)).toEqual({ jsonrpc: "2.0", id: 3, error: { code: -32601, message: "Method not found" } });
    });

    it("an unsupported MCP-Protocol-Version header: 400", async () => {
      const { response, body } = await mcpPost(
        { jsonrpc: "2.0", id: 3, method: "tools/list" },
        { ...ctx.credentials, "MCP-Protocol-Version": "1999-01-01" },
      );
      expect(response.status).toBe(400);
      expect(rpcError(body).error.message).toContain("Unsupported protocol version: 1999-01-01");
    });

    sessionCases(ctx);
    sessionCapCases(ctx);
    toolArgumentCases(ctx);
  });
}
