import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  type ElicitRequest,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
  ProgressNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { type DevServer, startDevServer } from "@repo/mcp-app/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// What the suite cannot see on /mcp: the legacy SSE transport, 2025-era elicitation and sampling
// on a session, the 2026 input_required round trip through a real client, and completion.

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ cwd: new URL("..", import.meta.url).pathname });
});
afterAll(async () => {
  await server?.stop();
});

const text = (result: unknown) => (result as { content: Array<{ text?: string }> }).content[0]?.text;

/** A 2025-era client that can answer elicitation and sampling requests, and records what it was asked. */
function legacyClient() {
  const asked: ElicitRequest["params"][] = [];
  const client = new Client({ name: "features-e2e", version: "1.0.0" }, { capabilities: { elicitation: {}, sampling: {} } });
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked.push(request.params);
    return { action: "accept", content: { username: "ada", email: "ada@example.com" } };
  });
  client.setRequestHandler(CreateMessageRequestSchema, async () => ({
    role: "assistant",
    content: { type: "text", text: "Paris" },
    model: "test-model",
  }));
  return { client, asked };
}

describe("legacy HTTP+SSE (/sse)", () => {
  it("opens with the endpoint event naming the session's message URL", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.origin}/sse`, { headers: { Accept: "text/event-stream" }, signal: controller.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    let received = "";
    while (!received.includes("\n\n")) received += (await reader.read()).value ?? "";
    controller.abort();
    expect(received.slice(0, received.indexOf("\n\n"))).toMatch(/^event: endpoint\ndata: \/sse\/message\?sessionId=[0-9a-f]{64}$/);
  });

  it("keeps an idle stream alive with a comment frame every 15 s", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.origin}/sse`, { headers: { Accept: "text/event-stream" }, signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    const opened = Date.now();
    let received = "";
    while (!received.includes(": keep-alive\n\n")) received += (await reader.read()).value ?? "";
    controller.abort();
    expect(Date.now() - opened).toBeGreaterThanOrEqual(14_000);
    expect(received).toMatch(/^event: endpoint\ndata: [^\n]+\n\n: keep-alive\n\n$/);
  }, 30_000);

  it("carries elicitation to a 2025-era client that declared it, and returns its answer", async () => {
    const { client, asked } = legacyClient();
    await client.connect(new SSEClientTransport(new URL(`${server.origin}/sse`)));
    const result = await client.callTool({ name: "test_elicitation", arguments: { message: "Who are you?" } });
    expect(text(result)).toBe('User response: action=accept, content={"username":"ada","email":"ada@example.com"}');
    expect(asked[0]?.message).toBe("Who are you?");

    const defaults = await client.callTool({ name: "test_elicitation_sep1034_defaults", arguments: {} });
    expect(text(defaults)).toMatch(/^Elicitation completed: action=accept/);
    expect((asked[1] as { requestedSchema?: unknown } | undefined)?.requestedSchema).toMatchObject({
      properties: { name: { default: "John Doe" }, age: { default: 30 }, verified: { default: true } },
    });
    await client.close();
  });

  it("carries sampling to a 2025-era client that declared it", async () => {
    const { client } = legacyClient();
    await client.connect(new SSEClientTransport(new URL(`${server.origin}/sse`)));
    expect(text(await client.callTool({ name: "test_sampling", arguments: { prompt: "Capital of France?" } }))).toBe("LLM response: Paris");
    await client.close();
  });

  it("sends log notifications and progress on the session's stream, ahead of the result", async () => {
    const { client } = legacyClient();
    const seen: string[] = [];
    // Collected as they arrive: the v1 client's own onprogress callback is dropped when a
    // progress event and the result arrive in the same chunk (it handles the result first).
    client.setNotificationHandler(ProgressNotificationSchema, async ({ params }) => {
      seen.push(`progress ${params.progress}/${params.total}`);
    });
    client.setNotificationHandler(LoggingMessageNotificationSchema, async ({ params }) => {
      seen.push(`log ${params.data}`);
    });
    await client.connect(new SSEClientTransport(new URL(`${server.origin}/sse`)));
    await client.callTool({ name: "test_tool_with_progress", arguments: {}, _meta: { progressToken: "p1" } });
    await client.callTool({ name: "test_tool_with_logging", arguments: {} });
    expect(seen).toEqual([
      "progress 0/100",
      "progress 50/100",
      "progress 100/100",
      "log Tool execution started",
      "log Tool processing data",
      "log Tool execution completed",
    ]);
    await client.close();
  });
});

describe("2025-era Streamable HTTP (/mcp, stateless)", () => {
  it("tells the model why a tool cannot ask for input, instead of asking a client it cannot reach", async () => {
    const { client, asked } = legacyClient();
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.origin}/mcp`)));
    const result = await client.callTool({ name: "test_elicitation", arguments: { message: "Who are you?" } });
    expect(result.isError).toBe(true);
    expect(text(result)).toMatch(/has not declared the elicitation capability.*connect over \/sse/);
    expect(asked).toEqual([]);
    await client.close();
  });

  it("answers a tool call that sends nothing first with one JSON body, and one that logs with a stream", async () => {
    const headers = {
      "Content-Type": "application/json",
      Accept: "application/json, text/event-stream",
      "MCP-Protocol-Version": "2025-11-25",
    };
    const call = (id: number, name: string) =>
      fetch(`${server.origin}/mcp`, {
        method: "POST",
        headers,
        body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: {} } }),
      });
    const plain = await call(1, "test_simple_text");
    expect(plain.headers.get("content-type")).toBe("application/json");
    expect(await plain.json()).toMatchObject({ id: 1, result: { content: [{ text: "This is a simple text response for testing." }] } });
    const logged = await call(2, "test_tool_with_logging");
    expect(logged.headers.get("content-type")).toBe("text/event-stream");
    const events = (await logged.text()).split("\n\n").filter(Boolean);
    expect(events).toHaveLength(4);
    expect(events.at(-1)).toContain('"id":2');
  });
});

describe("2026-07-28 (/mcp)", () => {
  async function modernClient() {
    const client = new ModernClient(
      { name: "features-e2e", version: "1.0.0" },
      { capabilities: { elicitation: {}, sampling: {} }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    // One answer fits every form these tests meet; a form whose fields are missing is asked again.
    client.setRequestHandler("elicitation/create", async () => ({
      action: "accept",
      content: { name: "Ada", color: "teal", context: "a test" },
    }));
    client.setRequestHandler("sampling/createMessage", async () => ({
      role: "assistant",
      content: { type: "text", text: "Bonjour" },
      model: "test-model",
    }));
    await client.connect(new ModernTransport(new URL(`${server.origin}/mcp`)));
    return client;
  }

  it("runs multi-round input_required flows through the client's own handlers", async () => {
    const client = await modernClient();
    expect(text(await client.callTool({ name: "test_input_required_result_elicitation", arguments: {} }))).toBe("Hello, Ada!");
    expect(text(await client.callTool({ name: "test_input_required_result_multi_round", arguments: {} }))).toBe("Ada likes teal.");
    expect(text(await client.callTool({ name: "test_input_required_result_sampling", arguments: {} }))).toBe("The model answered: Bonjour");
    const prompt = await client.getPrompt({ name: "test_input_required_result_prompt" });
    expect(prompt.messages[0]?.content).toEqual({ type: "text", text: "Use this context: a test" });
    await client.close();
  });

  it("completes prompt arguments and template variables from their definitions", async () => {
    const client = await modernClient();
    const words = await client.complete({
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg1", value: "par" },
    });
    expect(words.completion.values).toEqual(["paris", "park", "party", "parcel"]);
    const ids = await client.complete({
      ref: { type: "ref/resource", uri: "test://template/{id}/data" },
      argument: { name: "id", value: "1" },
    });
    expect(ids.completion.values).toEqual(["1", "123"]);
    const none = await client.complete({
      ref: { type: "ref/prompt", name: "test_prompt_with_arguments" },
      argument: { name: "arg2", value: "x" },
    });
    expect(none.completion.values).toEqual([]);
    await client.close();
  });

  it("reads template resources and names an unknown one in a -32602 error", async () => {
    const client = await modernClient();
    const read = await client.readResource({ uri: "test://template/42/data" });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual({ id: "42", templateTest: true, data: "Data for ID: 42" });
    await expect(client.readResource({ uri: "test://template/abc/data" })).rejects.toMatchObject({ code: -32602 });
    await client.close();
  });
});
