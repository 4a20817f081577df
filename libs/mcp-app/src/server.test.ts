import {
  anonymous,
  ask,
  type Caller,
  definePrompt,
  defineResource,
  defineResourceTemplate,
  defineTool,
  defineUiResource,
  inputRequired,
  jsonSchemaInput,
  resourceNotFound,
  toolResult,
  UI_EXTENSION,
  UI_MIME_TYPE,
  UI_RESOURCE_URI_META_KEY,
  userMessages,
} from "@repo/mcp-core";
import { usageGuide } from "@repo/mcp-tools";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { createMcpApp } from "./app.js";
import type { ServerDefinition } from "./definition.js";
import { publicAccess } from "./public.js";
import { reachOf } from "./reach.js";
import { createStreamableHttpHandler } from "./streamable.js";

// buildServer as clients meet it: 2026-07-28 JSON-RPC through the /mcp handler, in workerd.

const noArguments = z.object({});
const readOnly = { readOnlyHint: true } as const;

const remember = defineTool({
  name: "remember",
  description: "Returns state on the first round, then echoes the state it gets back.",
  inputSchema: noArguments,
  annotations: readOnly,
  handler: (_args, ctx) =>
    ctx.requestState === undefined ? inputRequired({ requestState: "first round" }) : toolResult({ state: ctx.requestState }),
});

const other = defineTool({
  name: "other",
  description: "Another tool that accepts state.",
  inputSchema: noArguments,
  annotations: readOnly,
  handler: (_args, ctx) => toolResult({ state: ctx.requestState ?? null }),
});

const full: ServerDefinition = {
  name: "unit",
  version: "1.0.0",
  tools: [remember, other],
  resources: [
    usageGuide,
    defineResource({
      name: "broken",
      uri: "test://broken",
      description: "Always fails.",
      read: () => {
        throw new Error("secret detail");
      },
    }),
    defineResourceTemplate({
      name: "notes",
      uriTemplate: "notes://{id}",
      description: "Notes by id.",
      complete: { id: (typed) => ["1", "12", "2"].filter((id) => id.startsWith(typed)) },
      read: (uri, { id }) => (id === "1" ? { text: "note one" } : resourceNotFound(uri)),
    }),
  ],
  prompts: [
    definePrompt({
      name: "greet",
      description: "Greets someone.",
      arguments: z.object({ who: z.string().describe("Whom to greet") }),
      complete: { who: (typed) => ["Ada", "Alan", "Grace"].filter((name) => name.startsWith(typed)) },
      handler: ({ who }) => userMessages(`Hello ${who}`),
    }),
    definePrompt({
      name: "explode",
      description: "Always fails.",
      handler: () => {
        throw new Error("secret detail");
      },
    }),
    definePrompt({
      name: "ask_first",
      description: "Asks for a topic before it answers.",
      handler: () =>
        inputRequired({ inputRequests: { topic: ask.elicit("Topic?", { type: "object", properties: { t: { type: "string" } } }) } }),
    }),
  ],
};

/** Keywords a zod object cannot produce: they must reach the client as written, and be enforced. */
const RANGE_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: { bound: { $anchor: "bound", type: "integer" } },
  properties: { from: { $ref: "#/$defs/bound" }, to: { $ref: "#bound" } },
  required: ["from"],
  dependentRequired: { to: ["from"] },
  additionalProperties: false,
};

const span = defineTool({
  name: "span",
  description: "Measures a range described with JSON Schema.",
  inputSchema: jsonSchemaInput<{ from: number; to?: number }>(RANGE_SCHEMA),
  annotations: readOnly,
  handler: ({ from, to }) => toolResult({ length: (to ?? from) - from }),
});

const toolsOnly: ServerDefinition = { name: "tools-only", version: "1.0.0", tools: [other, span] };

interface RpcResponse {
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
}

async function rpc(definition: ServerDefinition, method: string, params: Record<string, unknown> = {}, caller: Caller = anonymous) {
  const name = typeof params.name === "string" ? params.name : typeof params.uri === "string" ? params.uri : undefined;
  const request = new Request("http://localhost/mcp", {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": "2026-07-28",
      "Mcp-Method": method,
      ...(name && { "Mcp-Name": name }),
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method,
      params: {
        ...params,
        _meta: {
          "io.modelcontextprotocol/protocolVersion": "2026-07-28",
          "io.modelcontextprotocol/clientCapabilities": { elicitation: {} },
          "io.modelcontextprotocol/clientInfo": { name: "unit", version: "1.0.0" },
        },
      },
    }),
  });
  const response = await createStreamableHttpHandler(definition)(request, caller, {});
  return (await response.json()) as RpcResponse;
}

/** One stateless 2025-era JSON-RPC message to the /mcp handler, answered as plain JSON. */
async function legacyRpc(definition: ServerDefinition, body: unknown): Promise<RpcResponse> {
  const request = new Request("http://localhost/mcp", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25" },
    body: JSON.stringify(body),
  });
  return (await createStreamableHttpHandler(definition)(request, anonymous, {})).json() as Promise<RpcResponse>;
}

describe("capabilities", () => {
  it("advertises resources, prompts and completions only for a server that defines them", async () => {
    const bare = (await rpc(toolsOnly, "server/discover")).result?.capabilities;
    expect(bare).toMatchObject({ tools: { listChanged: false } });
    expect(bare).not.toHaveProperty("resources");
    expect(bare).not.toHaveProperty("prompts");
    expect(bare).not.toHaveProperty("completions");
    const rich = (await rpc(full, "server/discover")).result?.capabilities;
    expect(rich).toMatchObject({ resources: { listChanged: false }, prompts: { listChanged: false }, completions: {} });
    expect((await rpc(toolsOnly, "prompts/list")).error?.code).toBe(-32601);
  });

  it("lets clients cache lists for a minute, privately for an authenticated caller", async () => {
    expect((await rpc(full, "tools/list")).result).toMatchObject({ ttlMs: 60_000, cacheScope: "public" });
    const caller: Caller = { props: { userId: "u1" }, scopes: [], clientId: "c1", userId: "u1" };
    expect((await rpc(full, "prompts/list", {}, caller)).result).toMatchObject({ ttlMs: 60_000, cacheScope: "private" });
  });
});

describe("a server built for one request", () => {
  it("registers only what the message can reach", () => {
    expect(reachOf({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "add" } })).toEqual({ tools: "add" });
    expect(reachOf({ jsonrpc: "2.0", id: 1, method: "tools/call", params: {} })).toEqual({});
    expect(reachOf({ jsonrpc: "2.0", id: 1, method: "tools/list" })).toEqual({ tools: "all" });
    expect(reachOf({ jsonrpc: "2.0", id: 1, method: "resources/templates/list" })).toEqual({ resources: true });
    expect(reachOf({ jsonrpc: "2.0", id: 1, method: "prompts/get", params: { name: "greet" } })).toEqual({ prompts: true });
    expect(reachOf({ jsonrpc: "2.0", id: 1, method: "initialize", params: {} })).toEqual({});
    // Everything for whatever else may look across kinds (completion, discovery) or is not one message.
    for (const other of [{ method: "completion/complete" }, { method: "server/discover" }, [{ method: "ping" }], null, "x"]) {
      expect(reachOf(other)).toBeUndefined();
    }
  });

  it("still tells a 2025-era client every capability at initialize, and answers calls and lists in full", async () => {
    const legacy = (body: unknown) => legacyRpc(full, body);
    const init = await legacy({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "unit", version: "1.0.0" } },
    });
    expect(init.result?.capabilities).toMatchObject({ tools: {}, resources: {}, prompts: {}, completions: {}, logging: {} });
    const called = await legacy({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "other", arguments: {} } });
    expect(called.result?.structuredContent).toEqual({ state: null });
    const unknown = await legacy({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "nope", arguments: {} } });
    expect(JSON.stringify(unknown)).toContain("Tool nope not found");
    const listed = await legacy({ jsonrpc: "2.0", id: 4, method: "tools/list" });
    expect(((listed.result?.tools ?? []) as { name: string }[]).map((tool) => tool.name)).toEqual(["remember", "other"]);
    const prompts = await legacy({ jsonrpc: "2.0", id: 5, method: "prompts/list" });
    expect(((prompts.result?.prompts ?? []) as { name: string }[]).map((prompt) => prompt.name)).toEqual(["greet", "explode", "ask_first"]);
  });
});

describe("a tool whose input is JSON Schema", () => {
  it("is listed with that schema unchanged", async () => {
    const tools = (await rpc(toolsOnly, "tools/list")).result?.tools as Array<{ name: string; inputSchema: unknown }>;
    expect(tools.find((tool) => tool.name === "span")?.inputSchema).toStrictEqual(RANGE_SCHEMA);
  });

  it("gets only arguments that schema accepts, $ref by pointer and by $anchor included", async () => {
    expect((await rpc(toolsOnly, "tools/call", { name: "span", arguments: { from: 2, to: 5 } })).result?.structuredContent).toEqual({
      length: 3,
    });
    for (const invalid of [{ to: 5 }, { from: 2, to: 5.5 }, { from: "2" }, { from: 2, step: 1 }]) {
      const refused = (await rpc(toolsOnly, "tools/call", { name: "span", arguments: invalid })).result;
      expect(refused, JSON.stringify(invalid)).toMatchObject({
        isError: true,
        content: [{ text: expect.stringMatching(/^Input validation error/) }],
      });
    }
  });
});

describe("requestState", () => {
  it("is signed on the way out and handed back to the handler that minted it", async () => {
    const first = (await rpc(full, "tools/call", { name: "remember", arguments: {} })).result;
    expect(first).toMatchObject({ resultType: "input_required" });
    const sealed = first?.requestState as string;
    expect(sealed).not.toContain("first round");
    const second = await rpc(full, "tools/call", { name: "remember", arguments: {}, requestState: sealed });
    expect(second.result?.structuredContent).toEqual({ state: "first round" });
  });

  it("is refused when tampered with, replayed to another tool, or replayed by another caller", async () => {
    const sealed = (await rpc(full, "tools/call", { name: "remember", arguments: {} })).result?.requestState as string;
    const tampered = `${sealed.slice(0, -2)}${sealed.endsWith("A") ? "B" : "A"}A`;
    expect((await rpc(full, "tools/call", { name: "remember", arguments: {}, requestState: tampered })).error?.code).toBe(-32602);
    const someoneElse: Caller = { props: {}, scopes: [], clientId: "c2", userId: "u2" };
    expect((await rpc(full, "tools/call", { name: "remember", arguments: {}, requestState: sealed }, someoneElse)).error?.code).toBe(
      -32602,
    );
    // Genuine state, minted for another tool: refused before the handler runs (the SDK reports a
    // tool's refusal as an error result rather than a JSON-RPC error).
    const replayed = await rpc(full, "tools/call", { name: "other", arguments: {}, requestState: sealed });
    expect(replayed.result).toMatchObject({ isError: true, content: [{ text: "Invalid or expired requestState" }] });
  });
});

describe("resources and prompts", () => {
  it("renders the usage guide from the definition it is served by", async () => {
    const read = await rpc(full, "resources/read", { uri: "docs://usage-guide" });
    const contents = (read.result?.contents as Array<{ mimeType: string; text: string }> | undefined)?.[0];
    expect(contents?.mimeType).toBe("text/markdown");
    expect(contents?.text).toContain("- `remember`: Returns state");
    expect(contents?.text).toContain("- `greet` (arguments: `who`): Greets someone.");
    expect(contents?.text).toContain("- `notes://{id}` (notes): Notes by id.");
  });

  it("names an unknown resource in a -32602 error, and hides a failing read's details", async () => {
    expect((await rpc(full, "resources/read", { uri: "notes://1" })).result?.contents).toEqual([{ uri: "notes://1", text: "note one" }]);
    const missing = await rpc(full, "resources/read", { uri: "notes://9" });
    expect(missing.error).toMatchObject({ code: -32602, data: { uri: "notes://9" } });
    const broken = await rpc(full, "resources/read", { uri: "test://broken" });
    expect(broken.error?.code).toBe(-32603);
    expect(JSON.stringify(broken)).not.toContain("secret detail");
  });

  it("gets prompts, asks for input through them, and hides a failing prompt's details", async () => {
    const hello = await rpc(full, "prompts/get", { name: "greet", arguments: { who: "Ada" } });
    expect(hello.result?.messages).toEqual([{ role: "user", content: { type: "text", text: "Hello Ada" } }]);
    expect((await rpc(full, "prompts/get", { name: "ask_first" })).result).toMatchObject({ resultType: "input_required" });
    const exploded = await rpc(full, "prompts/get", { name: "explode" });
    expect(exploded.error?.code).toBe(-32603);
    expect(JSON.stringify(exploded)).not.toContain("secret detail");
  });

  it("completes prompt arguments and template variables, and refuses an unknown prompt", async () => {
    const complete = (ref: Record<string, string>, name: string, value: string) =>
      rpc(full, "completion/complete", { ref, argument: { name, value } });
    expect((await complete({ type: "ref/prompt", name: "greet" }, "who", "A")).result?.completion).toEqual({
      values: ["Ada", "Alan"],
      total: 2,
      hasMore: false,
    });
    expect((await complete({ type: "ref/resource", uri: "notes://{id}" }, "id", "1")).result?.completion).toMatchObject({
      values: ["1", "12"],
    });
    expect((await complete({ type: "ref/prompt", name: "explode" }, "x", "")).result?.completion).toMatchObject({ values: [] });
    expect((await complete({ type: "ref/prompt", name: "nope" }, "x", "")).error?.code).toBe(-32602);
  });
});

describe("MCP Apps UI resources (io.modelcontextprotocol/ui)", () => {
  const view = defineUiResource({
    uri: "ui://unit/view",
    name: "view",
    description: "A view.",
    html: "<!doctype html><p>view</p>",
    prefersBorder: true,
    scopes: ["mcp:tools"],
  });
  const shown = defineTool({
    name: "shown",
    description: "Has a UI.",
    inputSchema: noArguments,
    annotations: readOnly,
    ui: { resourceUri: "ui://unit/view" },
    handler: () => toolResult({ shown: true }),
  });
  const withUi: ServerDefinition = { name: "ui", version: "1.0.0", tools: [shown, other], resources: [view] };
  const UI_META = { ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } };

  it("links the tool, lists and reads the resource with the extension's MIME type and CSP, and advertises the extension", async () => {
    expect((await rpc(withUi, "server/discover")).result?.capabilities).toMatchObject({
      extensions: { [UI_EXTENSION]: { mimeTypes: [UI_MIME_TYPE] } },
    });
    expect((await rpc(full, "server/discover")).result?.capabilities).not.toHaveProperty("extensions");
    const tools = (await rpc(withUi, "tools/list")).result?.tools as Array<{ name: string; _meta?: unknown }>;
    expect(tools.find((tool) => tool.name === "shown")?._meta).toEqual({
      ui: { resourceUri: "ui://unit/view" },
      [UI_RESOURCE_URI_META_KEY]: "ui://unit/view",
    });
    expect(tools.find((tool) => tool.name === "other")).not.toHaveProperty("_meta");
    expect((await rpc(withUi, "resources/list")).result?.resources).toEqual([
      { uri: "ui://unit/view", name: "view", description: "A view.", mimeType: UI_MIME_TYPE, _meta: UI_META },
    ]);
    expect((await rpc(withUi, "resources/read", { uri: "ui://unit/view" })).result?.contents).toEqual([
      { uri: "ui://unit/view", mimeType: UI_MIME_TYPE, text: "<!doctype html><p>view</p>", _meta: UI_META },
    ]);
    // The tool's result is what a client without the extension gets too.
    expect((await rpc(withUi, "tools/call", { name: "shown", arguments: {} })).result).toMatchObject({
      content: [{ type: "text", text: '{"shown":true}' }],
      structuredContent: { shown: true },
    });
  });

  it("serves the same to a 2025-era client at initialize", async () => {
    const init = await legacyRpc(withUi, {
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "unit", version: "1.0.0" } },
    });
    expect(init.result?.capabilities).toMatchObject({ extensions: { [UI_EXTENSION]: { mimeTypes: [UI_MIME_TYPE] } } });
  });

  it("refuses at start-up a tool that links a UI the server does not serve", () => {
    expect(() => createMcpApp({ server: { name: "x", version: "1", tools: [shown] }, auth: publicAccess() })).toThrow(
      "Tool shown links the UI ui://unit/view, which is not among the server's UI resources",
    );
  });
});
