import { env, exports } from "cloudflare:workers";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { describe, expect, it } from "vitest";
import app from "./index.js";

// The composed app in the Workers runtime: wrangler.jsonc's vars and bindings, a stand-in user
// backend behind USER_API (vitest.config.ts). The real backend is exercised by the e2e suite.

const ORIGIN = "http://localhost:8789";
const GRACE_TOKEN = "uapi_demo_grace_eYWqqBY4vJ390heqIzN5jGOj";
const CI_KEY = "mcpk_demo_ci_UOjtBsMkZ7L4Xo838glAtSDN";
const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;

async function connect(token: string, vars: Record<string, string> = {}): Promise<Client> {
  const fetch = (url: string | URL, init?: RequestInit) =>
    vars.BEARER_VALIDATOR ? app.fetch(new Request(url, init), { ...env, ...vars }, ctx) : exports.default.fetch(url, init);
  const client = new Client({ name: "vitest", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL("/mcp", ORIGIN), { fetch, requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
  );
  return client;
}

describe("remote-mcp-bearer-auth as configured", () => {
  it("tells a local user which demo token to paste into the config, and a deployed one who issues tokens", async () => {
    const local = await (await exports.default.fetch(new URL("/", ORIGIN))).text();
    expect(local).toContain(`<code>${GRACE_TOKEN}</code>`);
    const deployed = await app.fetch(new Request("https://mcp.example.com/"), { ...env, PUBLIC_ORIGINS: "https://mcp.example.com" }, ctx);
    const page = await deployed.text();
    expect(page).toContain("Tokens are issued by this server&#39;s operator");
    expect(page).not.toContain("uapi_demo");
  });

  it("validates with the user backend by default and offers the calculator, getToken and get_user_data", async () => {
    expect(env.BEARER_VALIDATOR).toBe("backend");
    const client = await connect(GRACE_TOKEN);
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual([
      "add",
      "calculate",
      "getToken",
      "get_user_data",
      "count_slowly",
    ]);
    expect((await client.callTool({ name: "get_user_data", arguments: {} })).structuredContent).toEqual({
      id: 2,
      name: "Grace Hopper",
      email: "grace@example.com",
      role: "member",
    });
    expect((await client.callTool({ name: "getToken", arguments: {} })).structuredContent).toMatchObject({
      kind: "user-token",
      holder: "user:2",
      masked: "uapi…jGOj",
    });
    await client.close();
  });

  it("refuses a token the backend does not know, and an API key, in backend mode", async () => {
    for (const token of ["uapi_demo_nobody_x", CI_KEY]) {
      const response = await exports.default.fetch(`${ORIGIN}/mcp`, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json, text/event-stream" },
        body: "{}",
      });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(
        `Bearer error="invalid_token", error_description="the bearer token is not valid here.", resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource"`,
      );
    }
  });

  it('accepts the API keys of API_KEYS with BEARER_VALIDATOR "api-keys"', async () => {
    const client = await connect(CI_KEY, { BEARER_VALIDATOR: "api-keys" });
    expect((await client.callTool({ name: "getToken", arguments: {} })).structuredContent).toMatchObject({
      kind: "api-key",
      holder: "key:ci",
    });
    await expect(connect(GRACE_TOKEN, { BEARER_VALIDATOR: "api-keys" })).rejects.toThrow();
    await client.close();
  });

  it("shows the Claude Desktop config with the Authorization header taken from AUTH_TOKEN", async () => {
    const html = await (await exports.default.fetch(`${ORIGIN}/`)).text();
    const escaped = /<pre id="claude-config">([\s\S]*?)<\/pre>/.exec(html)?.[1] ?? "";
    const config = JSON.parse(escaped.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))));
    expect(config).toEqual({
      mcpServers: {
        "remote-mcp-bearer-auth": {
          command: "npx",
          // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote's placeholder, kept literally in the config.
          args: ["mcp-remote", `${ORIGIN}/mcp`, "--header", "Authorization: Bearer ${AUTH_TOKEN}"],
          env: { AUTH_TOKEN: "<your token>" },
        },
      },
    });
  });
});
