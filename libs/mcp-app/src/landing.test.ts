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
});
