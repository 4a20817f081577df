import { exports } from "cloudflare:workers";
import { expect, it } from "vitest";

// The composed app in the Workers runtime, through `exports.default.fetch`.

const ORIGIN = "http://localhost:8787";

it("serves its landing page, naming the server and its tools", async () => {
  const response = await exports.default.fetch(`${ORIGIN}/`);
  expect(response.status).toBe(200);
  const html = await response.text();
  expect(html).toContain("mcp-server-github-oauth");
  expect(html).toContain("<code>add</code>");
  expect(html).toContain("<code>get_user_data</code>");
  expect(html).toContain("<code>whoami_admin</code>");
  expect(html).toContain("<code>count_slowly</code>");
});

it("challenges an MCP request without credentials", async () => {
  const response = await exports.default.fetch(`${ORIGIN}/mcp`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "vitest", version: "1.0.0" } },
    }),
  });
  expect(response.status).toBe(401);
  expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer\b/);
});
