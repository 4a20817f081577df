import { exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { expect, it } from "vitest";
import readme from "../README.md?raw";

// The composed app in the Workers runtime, driven by the SDK client through `exports.default.fetch`.

const ORIGIN = "http://localhost:8788";

it("serves the calculator to a client without credentials", async () => {
  const client = new Client({ name: "vitest", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL("/mcp", ORIGIN), { fetch: (url, init) => exports.default.fetch(url, init) }),
  );
  expect(client.getServerVersion()).toEqual({ name: "remote-mcp-authless", title: "Remote MCP Server (authless)", version: "1.0.0" });
  expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(["add", "calculate", "count_slowly"]);
  expect(await client.callTool({ name: "calculate", arguments: { operation: "multiply", a: 6, b: 7 } })).toEqual({
    content: [{ type: "text", text: "6 × 7 = 42" }],
    structuredContent: { result: 42 },
  });
  await client.close();
});

it("serves the calculator's MCP Apps view, the Text module build-ui wrote, as wrangler's default rule loads it", async () => {
  const client = new Client({ name: "vitest", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL("/mcp", ORIGIN), { fetch: (url, init) => exports.default.fetch(url, init) }),
  );
  const [view] = (await client.readResource({ uri: "ui://calculator/view" })).contents;
  const html = view && "text" in view ? view.text : "";
  // Checked in code, not with toMatch: a failure would print the whole 400 KB document.
  expect(html.startsWith("<!doctype html>")).toBe(true);
  expect(html.includes('name:"calculate"')).toBe(true);
  await client.close();
});

it("shows on its landing page the Claude Desktop config the README documents", async () => {
  const html = await (await exports.default.fetch(`${ORIGIN}/`)).text();
  const escaped = /<pre id="claude-config">([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? "";
  const shown = JSON.parse(escaped.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))));
  expect(shown).toEqual(JSON.parse(/```json\n([\s\S]*?)```/.exec(readme)?.[1] ?? ""));
});
