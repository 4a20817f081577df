import { exports } from "cloudflare:workers";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type AnyTool, isInputRequired, ResourceNotFound, type ToolContext } from "@repo/mcp-core";
import { describe, expect, it } from "vitest";
import { contentTools } from "./content-tools.js";
import { inputTools } from "./input-tools.js";
import { fixtureResources } from "./resources.js";
import { CONTACT_SCHEMA } from "./schema-tools.js";

const tool = (name: string): AnyTool => {
  const found: AnyTool | undefined = [...contentTools, ...inputTools].find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no fixture tool ${name}`);
  return found;
};

function context(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    props: undefined,
    scopes: [],
    env: {},
    signal: new AbortController().signal,
    progress: async () => {},
    log: async () => {},
    clientCapabilities: {},
    inputResponses: {},
    ...overrides,
  };
}

const accept = (content: Record<string, unknown>) => ({ action: "accept", content });

describe("input-required fixtures", () => {
  it("walk the multi-round flow, carrying the name in requestState", async () => {
    const multi = tool("test_input_required_result_multi_round");
    const first = await multi.handler({}, context());
    expect(first).toMatchObject({
      resultType: "input_required",
      requestState: "round-1",
      inputRequests: { step1: { method: "elicitation/create" } },
    });
    const second = await multi.handler({}, context({ requestState: "round-1", inputResponses: { step1: accept({ name: "Ada" }) } }));
    expect(second).toMatchObject({ requestState: "round-2:Ada", inputRequests: { step2: { method: "elicitation/create" } } });
    const third = await multi.handler({}, context({ requestState: "round-2:Ada", inputResponses: { step2: accept({ color: "teal" }) } }));
    expect(third).toMatchObject({ content: [{ text: "Ada likes teal." }] });
  });

  it("ask again, instead of failing, when an answer is missing or malformed", async () => {
    const greet = tool("test_input_required_result_elicitation");
    for (const responses of [{}, { user_name: { action: "accept", content: { name: 7 } } }, { other: accept({ name: "Ada" }) }]) {
      expect(isInputRequired(await greet.handler({}, context({ inputResponses: responses })))).toBe(true);
    }
    expect(await greet.handler({}, context({ inputResponses: { user_name: accept({ name: "Ada" }) } }))).toMatchObject({
      content: [{ text: "Hello, Ada!" }],
    });
  });

  it("ask only through the capabilities the client declared", async () => {
    const capabilities = tool("test_input_required_result_capabilities");
    const first = await capabilities.handler({}, context({ clientCapabilities: { sampling: {} } }));
    expect(Object.keys((first as { inputRequests: object }).inputRequests)).toEqual(["greeting"]);
    const done = await capabilities.handler(
      {},
      context({ clientCapabilities: { sampling: {} }, inputResponses: { greeting: { content: { type: "text", text: "Hi" } } } }),
    );
    expect(isInputRequired(done)).toBe(false);
    expect(isInputRequired(await capabilities.handler({}, context()))).toBe(false);
  });

  it("refuse to ask a 2025-era client whose capabilities are unknown, with a reason the model can read", async () => {
    const elicit = tool("test_elicitation");
    const refused = await elicit.handler({ message: "Who?" }, context());
    expect(refused).toMatchObject({ isError: true, content: [{ text: expect.stringContaining("elicitation capability") }] });
    expect(isInputRequired(await elicit.handler({ message: "Who?" }, context({ clientCapabilities: { elicitation: {} } })))).toBe(true);
  });
});

describe("resource fixtures", () => {
  it("reads template data for numeric ids and reports any other id as not found", async () => {
    const template = fixtureResources.find((resource) => resource.kind === "template");
    if (template?.kind !== "template") throw new Error("no template fixture");
    const ctx = {
      props: undefined,
      scopes: [],
      env: {},
      signal: new AbortController().signal,
      server: { name: "", version: "", tools: [], prompts: [], resources: [] },
    };
    expect(await template.read("test://template/7/data", { id: "7" }, ctx)).toEqual({
      text: '{"id":"7","templateTest":true,"data":"Data for ID: 7"}',
    });
    expect(() => template.read("test://template/x/data", { id: "x" }, ctx)).toThrow(ResourceNotFound);
  });
});

describe("the fixture Worker", () => {
  it("says on its landing page that it is test-only", async () => {
    const page = await exports.default.fetch("http://localhost:8799/");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("TEST-ONLY");
  });
});

describe("the JSON Schema 2020-12 fixture", () => {
  const inProcess = (url: string | URL, init?: RequestInit) => exports.default.fetch(url, init);
  const endpoint = new URL("http://localhost:8799/mcp");
  const clients = {
    "2025-11-25": async () => {
      const client = new Client({ name: "fixture-test", version: "1.0.0" });
      await client.connect(new StreamableHTTPClientTransport(endpoint, { fetch: inProcess }));
      return client;
    },
    "2026-07-28": async () => {
      const client = new ModernClient({ name: "fixture-test", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
      await client.connect(new ModernHttpTransport(endpoint, { fetch: inProcess }));
      return client;
    },
  };

  it.each(Object.entries(clients))("is listed to a %s client with its input schema exactly as written", async (_, connect) => {
    const client = await connect();
    const { tools } = await client.listTools();
    expect(tools.find((listed) => listed.name === "json_schema_2020_12_tool")?.inputSchema).toStrictEqual(CONTACT_SCHEMA);
    await client.close();
  });

  it.each(Object.entries(clients))("checks a %s client's arguments against that schema", async (_, connect) => {
    const client = await connect();
    const call = (args: Record<string, unknown>) => client.callTool({ name: "json_schema_2020_12_tool", arguments: args });
    expect(await call({ name: "Ada", contactMethod: "phone", phone: "555-0100" })).toMatchObject({
      structuredContent: { reachVia: "phone 555-0100" },
    });
    expect(await call({ email: "ada@example.com", address: { city: "London" } })).toMatchObject({
      structuredContent: { reachVia: "email ada@example.com" },
    });
    // if/then: contactMethod "phone" needs a phone; else: an email; additionalProperties: false; $ref'd types.
    for (const invalid of [
      { contactMethod: "phone", email: "ada@example.com" },
      { phone: "555-0100" },
      { email: "ada@example.com", nickname: "Countess" },
      { email: "ada@example.com", address: { city: 7 } },
    ]) {
      expect(await call(invalid), JSON.stringify(invalid)).toMatchObject({
        isError: true,
        content: [{ text: expect.stringMatching(/^Input validation error/) }],
      });
    }
    await client.close();
  });
});
