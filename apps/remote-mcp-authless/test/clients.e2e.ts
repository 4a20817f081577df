import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  connectMcpRemote,
  connectModernClient,
  connectSdkClient,
  type DevServer,
  freePort,
  printServerLogOnFailure,
  startDevServer,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Real clients against `wrangler dev`, no credentials anywhere: the SDK clients of both generations,
// and mcp-remote started from the README's Claude Desktop config.

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ cwd: new URL("..", import.meta.url).pathname });
});
afterAll(async () => {
  await server?.stop();
});
printServerLogOnFailure(() => server);

interface ToolCaller {
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
}

const product = { content: [{ type: "text", text: "6 × 7 = 42" }], structuredContent: { result: 42 } };
const divisionByZero = { isError: true, content: [{ type: "text", text: "Cannot divide 1 by zero." }] };
/** 2026-07-28 results name the server in `_meta`, since there is no initialize result to carry it. */
const modernMeta = {
  _meta: { "io.modelcontextprotocol/serverInfo": { name: "remote-mcp-authless", title: "Remote MCP Server (authless)", version: "1.0.0" } },
};

async function expectCalculator(client: ToolCaller, extra: object = {}): Promise<void> {
  expect(await client.callTool({ name: "calculate", arguments: { operation: "multiply", a: 6, b: 7 } })).toEqual({ ...product, ...extra });
  expect(await client.callTool({ name: "calculate", arguments: { operation: "divide", a: 1, b: 0 } })).toEqual({
    ...divisionByZero,
    ...extra,
  });
}

describe("MCP TypeScript SDK clients", () => {
  it.each(["streamable-http", "sse"] as const)("v1 (2025-11-25) over %s", async (kind) => {
    const client = await connectSdkClient(`${server.origin}/${kind === "sse" ? "sse" : "mcp"}`, kind);
    try {
      expect(client.getServerVersion()).toMatchObject({ name: "remote-mcp-authless", version: "1.0.0" });
      await expectCalculator(client);
    } finally {
      await client.close();
    }
  });

  it("v2 pinned to 2026-07-28 over /mcp", async () => {
    const client = await connectModernClient(`${server.origin}/mcp`);
    try {
      await expectCalculator(client, modernMeta);
    } finally {
      await client.close();
    }
  });
});

describe("MCP Apps: calculate's UI is an addition, never a change to its result", () => {
  const UI = { "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] } };

  it("a client that does not render MCP Apps gets the plain result (text and structured content); one that does gets the same", async () => {
    const plain = await connectModernClient(`${server.origin}/mcp`);
    const rendering = await connectModernClient(`${server.origin}/mcp`, undefined, undefined, UI);
    try {
      // Both are told where the UI is; a client without the extension just ignores the link.
      for (const client of [plain, rendering]) {
        const { tools } = await client.listTools();
        expect(tools.find((tool) => tool.name === "calculate")?._meta).toMatchObject({ ui: { resourceUri: "ui://calculator/view" } });
        await expectCalculator(client, modernMeta);
      }
      // The 2025-era SDK client, which knows nothing of extensions, too.
      const legacy = await connectSdkClient(`${server.origin}/mcp`, "streamable-http");
      try {
        await expectCalculator(legacy);
      } finally {
        await legacy.close();
      }
    } finally {
      await plain.close();
      await rendering.close();
    }
  });
});

describe("MCP Apps: the UI resource on every transport", () => {
  it.each(["streamable-http", "sse"] as const)("is listed and read with the extension's MIME type and CSP over %s", async (kind) => {
    const client = await connectSdkClient(`${server.origin}/${kind === "sse" ? "sse" : "mcp"}`, kind);
    try {
      const ui = { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true };
      const { resources } = await client.listResources();
      expect(resources.find((resource) => resource.uri === "ui://calculator/view")).toMatchObject({
        mimeType: "text/html;profile=mcp-app",
        _meta: { ui },
      });
      const [content] = (await client.readResource({ uri: "ui://calculator/view" })).contents;
      expect(content).toMatchObject({ uri: "ui://calculator/view", mimeType: "text/html;profile=mcp-app", _meta: { ui } });
      expect((content as { text: string }).text.startsWith("<!doctype html>")).toBe(true);
      expect(client.getServerCapabilities()?.extensions).toMatchObject({
        "io.modelcontextprotocol/ui": { mimeTypes: ["text/html;profile=mcp-app"] },
      });
    } finally {
      await client.close();
    }
  });
});

describe("mcp-remote 0.15.1 from the README's Claude Desktop config", () => {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  const config = JSON.parse(/```json\n([\s\S]*?)```/.exec(readme)?.[1] ?? "") as {
    mcpServers: Record<string, { command: string; args: string[] }>;
  };
  const entry = config.mcpServers["remote-mcp-authless"];

  it.each([
    ["default strategy on the documented /mcp: Streamable HTTP", "/mcp", [], "StreamableHTTPClientTransport"],
    ["the same config on /sse with --transport sse-only", "/sse", ["--transport", "sse-only"], "SSEClientTransport"],
  ])("%s", async (_, path, args, transport) => {
    expect(entry?.command).toBe("npx");
    const [bin, documentedUrl, ...rest] = entry?.args ?? [];
    expect([bin, documentedUrl, rest]).toEqual(["mcp-remote", "http://localhost:8788/mcp", []]);
    const configDir = mkdtempSync(join(tmpdir(), "mcp-e2e-mcp-remote-"));
    const run = await connectMcpRemote({
      url: (documentedUrl as string).replace("http://localhost:8788/mcp", `${server.origin}${path}`),
      configDir,
      callbackPort: await freePort(),
      args: [...args],
    });
    try {
      expect(run.stderr()).toContain(`Connected to remote server using ${transport}`);
      await expectCalculator(run.client);
    } finally {
      await run.close();
      rmSync(configDir, { recursive: true, force: true });
    }
    // A public server never sends mcp-remote into a sign-in.
    expect(run.authorizations).toEqual([]);
    expect(run.browserOpens()).toEqual([]);
  });
});
