import { describe, expect, it } from "vitest";
import type { ServerDefinition } from "./definition.js";
import { landingPage } from "./landing.js";

const definition: ServerDefinition = {
  name: "landing-unit",
  version: "1.0.0",
  instructions: "Use `add` <carefully>.",
  tools: [],
};
const credentials = { local: "Try the demo token `uapi_demo` <local>.", deployed: "Ask the operator <deployed>." };

describe("landingPage", () => {
  it("renders `code` spans in instructions as code, after escaping everything else", async () => {
    const html = await landingPage(definition, "http://localhost:8787", { auth: "none" }).text();
    expect(html).toContain("<p>Use <code>add</code> &#60;carefully&#62;.</p>");
  });

  it("says where to get a token: the local text on loopback, the deployed text elsewhere", async () => {
    const local = await landingPage(definition, "http://127.0.0.1:8789", { auth: "Bearer", credentials }).text();
    expect(local).toContain('<p id="credentials">Try the demo token <code>uapi_demo</code> &#60;local&#62;.</p>');
    expect(local).not.toContain("deployed");
    const deployed = await landingPage(definition, "https://mcp.example.com", { auth: "Bearer", credentials }).text();
    expect(deployed).toContain('<p id="credentials">Ask the operator &#60;deployed&#62;.</p>');
    expect(await landingPage(definition, "https://mcp.example.com", { auth: "none" }).text()).not.toContain('id="credentials"');
  });

  it("leads with the /mcp URL, then mcp-remote for stdio-only clients, then the legacy /sse", async () => {
    const html = await landingPage(definition, "https://mcp.example.com", { auth: "none" }).text();
    const order = ["url-mcp", "inspector", "claude-config", "url-sse"].map((id) => html.indexOf(`id="${id}"`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(html).not.toContain("Hosted connectors");
    expect(await landingPage(definition, "http://localhost:8787", { auth: "none" }).text()).toContain(
      "Hosted connectors (Claude, ChatGPT) cannot reach this dev server",
    );
  });

  it("tells MCP Inspector users the header mcp-remote sends, with its env value filled in and escaped", async () => {
    const html = await landingPage(definition, "http://localhost:8789", {
      auth: "Bearer",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote's own placeholder syntax, expanded by the page.
      mcpRemoteArgs: ["--header", "Authorization: Bearer ${AUTH_TOKEN}"],
      mcpRemoteEnv: { AUTH_TOKEN: "<your token>" },
    }).text();
    expect(html).toContain("<b>Settings → Custom Headers → + Add Header</b>: <code>Authorization: Bearer &#60;your token&#62;</code>");
    expect(html).not.toContain("sign in if the server asks");
    const oauth = await landingPage(definition, "http://localhost:8787", { auth: "OAuth" }).text();
    expect(oauth).not.toContain("Custom Headers");
    expect(oauth).toContain("Toggle the card on (sign in if the server asks)");
  });
});
