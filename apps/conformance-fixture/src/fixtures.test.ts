import { exports } from "cloudflare:workers";
import { type AnyTool, isInputRequired, ResourceNotFound, type ToolContext } from "@repo/mcp-tools";
import { describe, expect, it } from "vitest";
import { contentTools } from "./content-tools.js";
import { inputTools } from "./input-tools.js";
import { fixtureResources } from "./resources.js";

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
