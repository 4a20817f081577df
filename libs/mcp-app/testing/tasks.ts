import {
  CLIENT_CAPABILITIES_META_KEY,
  CLIENT_INFO_META_KEY,
  type Client as ModernClient,
  PROTOCOL_VERSION_META_KEY,
} from "@modelcontextprotocol/client";
import { createTaskSessionFromClient, type RawClientDispatch, resultFromTaskOutcome } from "@modelcontextprotocol/ext-tasks/client";
import {
  CancelTaskResultV2Schema,
  CreateTaskResultV2Schema,
  GetTaskResultV2Schema,
  TASKS_EXTENSION_ID_V2,
  TaskStatusNotificationV2Schema,
} from "@modelcontextprotocol/ext-tasks/core/v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectModernClient } from "./clients.js";
import type { DevServer } from "./dev-server.js";
import { printServerLogOnFailure } from "./failures.js";
import { TestOAuthProvider } from "./oauth.js";
import type { Browse } from "./oauth-flow.js";

export interface TasksSuiteOptions {
  name: string;
  start(): Promise<DevServer>;
  /** Plays a user through sign-in; `user` tells two users apart (undefined on a public app). */
  browse?: (user: string) => Browse;
}

type Json = Record<string, unknown>;
type JsonValue = Parameters<RawClientDispatch>[0];
type Task = { taskId: string; status: string; statusMessage?: string; result?: Json; error?: Json };

/** One of the extension's result schemas (zod, from @modelcontextprotocol/ext-tasks). */
type WireSchema = { safeParse(value: unknown): { success: boolean; data?: unknown } };

/**
 * MCP Tasks (the 2026-07-28 extension, SEP-2663) against a real app with the official v2 client
 * declaring the extension, every answer checked with the extension's own schemas
 * (@modelcontextprotocol/ext-tasks): count_slowly becomes a task that is polled to its result;
 * a cancelled task stops its work; a task survives `wrangler dev` being stopped and started on the
 * same state; another user's task id is not found.
 */
export function tasksSuite(options: TasksSuiteOptions): void {
  let server: DevServer;
  const clients: ModernClient[] = [];

  describe(`${options.name}: MCP Tasks`, () => {
    beforeAll(async () => {
      server = await options.start();
    });
    afterAll(async () => {
      for (const client of clients) await client.close().catch(() => {});
      await server?.stop();
    });
    printServerLogOnFailure(() => server);

    const signIn = (user: string) => {
      const browse = options.browse?.(user);
      return browse ? new TestOAuthProvider(browse) : undefined;
    };
    /** A signed-in client that declares the extension, and its access token for raw calls. */
    const tokens = new WeakMap<ModernClient, string | undefined>();
    const connect = async (user = "ada@example.com", auth = signIn(user)) => {
      const client = await connectModernClient(`${server.origin}/mcp`, auth, undefined, { [TASKS_EXTENSION_ID_V2]: {} });
      clients.push(client);
      tokens.set(client, auth?.tokens()?.access_token);
      return client;
    };
    /**
     * One request of the extension, posted as the v2 client posts it (its envelope keys, headers and
     * token) and its answer checked with the extension's own schema. The SDK client cannot carry
     * these: it checks every tools/call result against CallToolResult and strips `resultType`
     * before a custom schema sees it.
     */
    const send = (client: ModernClient, method: string, params: Json, name: string, timeoutMs = 15_000) => {
      const token = tokens.get(client);
      return fetch(`${server.origin}/mcp`, {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json, text/event-stream",
          "MCP-Protocol-Version": "2026-07-28",
          "Mcp-Method": method,
          "Mcp-Name": name,
          ...(token && { Authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify({
          jsonrpc: "2.0",
          id: 1,
          method,
          params: {
            ...params,
            _meta: {
              [PROTOCOL_VERSION_META_KEY]: "2026-07-28",
              [CLIENT_INFO_META_KEY]: { name: "e2e-tasks", version: "1.0.0" },
              [CLIENT_CAPABILITIES_META_KEY]: { extensions: { [TASKS_EXTENSION_ID_V2]: {} } },
            },
          },
        }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    };
    const post = async (client: ModernClient, method: string, params: Json, name: string, check: WireSchema) => {
      const response = await send(client, method, params, name);
      const body = (await response.json()) as { result?: unknown; error?: { code: number; message: string } };
      if (body.error) throw Object.assign(new Error(body.error.message), { code: body.error.code });
      const parsed = check.safeParse(body.result);
      if (!parsed.success) throw new Error(`${method} answered outside the extension's schema: ${JSON.stringify(body).slice(0, 500)}`);
      return parsed.data as Task;
    };
    const start = (client: ModernClient, to: number, delayMs: number) =>
      post(client, "tools/call", { name: "count_slowly", arguments: { to, delayMs } }, "count_slowly", CreateTaskResultV2Schema);
    const cancel = (client: ModernClient, taskId: string) => post(client, "tasks/cancel", { taskId }, taskId, CancelTaskResultV2Schema);
    const get = (client: ModernClient, taskId: string) => post(client, "tasks/get", { taskId }, taskId, GetTaskResultV2Schema);
    /** The `event: "task"` line a task's Durable Object logs when its tool run ends, waited for at most `withinMs`. */
    const taskLogLine = async (taskId: string, withinMs: number): Promise<Json & { ms: number }> => {
      const prefix = taskId.slice(0, 8);
      const deadline = Date.now() + withinMs;
      while (Date.now() < deadline) {
        const line = server
          .logs()
          .split("\n")
          .find((entry) => entry.includes('"event":"task"') && entry.includes(`"task":"${prefix}"`));
        if (line) return JSON.parse(line);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      throw new Error(`no log line of task ${prefix} within ${withinMs} ms`);
    };
    /** A subscriptions/listen for tasks, read to its end: every message of its SSE stream. */
    const listen = async (client: ModernClient, taskIds: string[]) => {
      const response = await send(client, "subscriptions/listen", { notifications: { taskIds } }, "", 20_000);
      expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
      return (await response.text())
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => JSON.parse(line.slice(6)) as { id?: number; method?: string; params?: Json; result?: Json });
    };
    /** Polls tasks/get until the task is terminal, for at most `withinMs`. */
    const settled = async (client: ModernClient, taskId: string, withinMs: number, seen: string[] = []): Promise<Task> => {
      const deadline = Date.now() + withinMs;
      while (Date.now() < deadline) {
        const task = await get(client, taskId).catch((error: unknown) => {
          // A restarting server refuses connections for a moment.
          if (/fetch failed|ECONNREFUSED|other side closed/i.test(String(error))) return undefined;
          throw error;
        });
        if (task) {
          seen.push(task.statusMessage ? `${task.status}: ${task.statusMessage}` : task.status);
          if (["completed", "failed", "cancelled"].includes(task.status)) return task;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      throw new Error(`task ${taskId} not terminal within ${withinMs} ms; seen: ${seen.slice(-5).join(", ")}`);
    };

    it("the server advertises the Tasks extension", async () => {
      const client = await connect();
      const capabilities = client.getServerCapabilities() as { extensions?: Json } | undefined;
      expect(capabilities?.extensions?.[TASKS_EXTENSION_ID_V2]).toEqual({});
    });

    it("count_slowly becomes a task: working with progress, then completed with the tool's result inlined", async () => {
      const client = await connect();
      const created = await start(client, 4, 400);
      expect(created).toMatchObject({ resultType: "task", status: "working", pollIntervalMs: 1000, ttlMs: 3_600_000 });
      const seen: string[] = [];
      const done = await settled(client, created.taskId, 20_000, seen);
      expect(done.status).toBe("completed");
      expect(done.result).toMatchObject({ structuredContent: { counted: 4 }, content: [{ type: "text", text: "Counted to 4." }] });
      expect(
        seen.some((status) => /^working: Counted \d of 4$/.test(status)),
        seen.join(", "),
      ).toBe(true);
    });

    /**
     * The official Tasks client's raw request path (RawClientDispatch): the SDK Client cannot post
     * the extension's wire shapes, so ext-tasks frames each request (its envelope) and hands it here
     * to be posted as the v2 client posts, with the caller's token.
     */
    let rawIds = 0;
    const rawDispatch =
      (client: ModernClient): RawClientDispatch =>
      async (request, dispatch) => {
        const message = request as { method: string; params?: Json };
        const token = tokens.get(client);
        const name = typeof message.params?.name === "string" ? message.params.name : undefined;
        const response = await fetch(`${server.origin}/mcp`, {
          method: "POST",
          headers: {
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
            "MCP-Protocol-Version": "2026-07-28",
            "Mcp-Method": message.method,
            ...(name && { "Mcp-Name": name }),
            ...dispatch?.context?.headers,
            ...(token && { Authorization: `Bearer ${token}` }),
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: ++rawIds, ...message }),
          signal: dispatch?.signal ?? AbortSignal.timeout(15_000),
        });
        const body = (await response.json()) as { result?: JsonValue; error?: { code: number; message: string } };
        return body.error ? { kind: "error", error: body.error } : { kind: "result", result: body.result ?? null };
      };

    it("the official Tasks client (@modelcontextprotocol/ext-tasks) runs count_slowly as a task to its result, and cancels another", async () => {
      const client = await connect();
      const session = createTaskSessionFromClient(client, {
        endpointId: server.origin,
        rawDispatch: rawDispatch(client),
        v2RequestFraming: {
          protocolVersion: "2026-07-28",
          clientInfo: { name: "e2e-ext-tasks", version: "1.0.0" },
          clientCapabilities: { extensions: { [TASKS_EXTENSION_ID_V2]: {} } },
        },
      });
      try {
        const execution = await session.callTool("count_slowly", { to: 3, delayMs: 300 });
        expect(execution.kind).toBe("task");
        const { outcome } = await execution.settle();
        expect(outcome.status, JSON.stringify(outcome)).toBe("completed");
        expect(resultFromTaskOutcome(outcome)).toMatchObject({ structuredContent: { counted: 3 } });
        const long = await session.callTool("count_slowly", { to: 30, delayMs: 1000 });
        if (long.kind !== "task") throw new Error(`count_slowly answered ${long.kind}, not a task`);
        await long.cancel();
        expect((await long.settle()).outcome.status).toBe("cancelled");
        expect((await get(client, long.handle.taskId)).status).toBe("cancelled");
      } finally {
        await session.close();
      }
    });

    it("subscriptions/listen naming a task streams its status notifications to the end, then the listen result", async () => {
      const client = await connect();
      const created = await start(client, 3, 400);
      const stranger = crypto.randomUUID();
      const [ack, ...rest] = await listen(client, [created.taskId, stranger]);
      // Only the caller's own task is acknowledged: an unknown id is left out, as tasks/get answers it "not found".
      expect(ack).toMatchObject({
        method: "notifications/subscriptions/acknowledged",
        params: { notifications: { taskIds: [created.taskId] } },
      });
      const notes = rest.filter((message) => message.method === "notifications/tasks");
      for (const note of notes) expect(TaskStatusNotificationV2Schema.safeParse(note).success, JSON.stringify(note)).toBe(true);
      const statuses = notes.map((note) => `${note.params?.status}${note.params?.statusMessage ? `: ${note.params.statusMessage}` : ""}`);
      expect(
        statuses.some((status) => /^working: Counted \d of 3$/.test(status)),
        statuses.join(", "),
      ).toBe(true);
      expect(notes.at(-1)?.params).toMatchObject({
        taskId: created.taskId,
        status: "completed",
        result: { structuredContent: { counted: 3 } },
      });
      expect(rest.at(-1)).toMatchObject({ id: 1, result: { resultType: "complete" } });
      // A filter beyond the bound is refused with a clear message, not half-served.
      const tooMany = Array.from({ length: 33 }, () => crypto.randomUUID());
      const refused = await send(client, "subscriptions/listen", { notifications: { taskIds: tooMany } }, "");
      expect(await refused.json()).toMatchObject({ id: 1, error: { code: -32602, message: expect.stringContaining("at most 32") } });
    });

    it("tasks/cancel stops the work: the task stays cancelled and the tool's log line shows it ended early", async () => {
      const client = await connect();
      const created = await start(client, 30, 1000);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const ack = await cancel(client, created.taskId);
      // An empty ack: no task envelope (the SDK stamps serverInfo in _meta on every result).
      expect(Object.keys(ack).sort()).toEqual(["_meta", "resultType"]);
      expect(ack).toMatchObject({ resultType: "complete" });
      expect((await get(client, created.taskId)).status).toBe("cancelled");
      // The work itself stopped: its log line comes within seconds, not after 30 s.
      const line = await taskLogLine(created.taskId, 10_000);
      expect(line).toMatchObject({ tool: "count_slowly", outcome: "tool_error" });
      expect(line.ms).toBeLessThan(10_000);
      // Cancelling again is the same empty ack (idempotent), and the task is still cancelled.
      expect(await cancel(client, created.taskId)).toMatchObject({ resultType: "complete" });
      expect((await get(client, created.taskId)).status).toBe("cancelled");
    });

    it("a task survives the server being stopped and started on the same state, and completes", async () => {
      const client = await connect();
      const created = await start(client, 10, 1000);
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await get(client, created.taskId)).status).toBe("working");
      await server.restart();
      const done = await settled(client, created.taskId, 90_000);
      expect(done).toMatchObject({ status: "completed", result: { structuredContent: { counted: 10 } } });
    }, 120_000);

    if (options.browse) {
      it("another user's tasks/get, tasks/cancel and subscriptions/listen of a task id find nothing, and the task goes on", async () => {
        const owner = await connect("ada@example.com");
        const other = await connect("mallory@example.com");
        const created = await start(owner, 6, 500);
        await expect(get(other, created.taskId)).rejects.toMatchObject({ code: -32602 });
        await expect(cancel(other, created.taskId)).rejects.toMatchObject({ code: -32602 });
        // Nor can it listen to it: the acknowledgement names no task, and the stream ends at once.
        expect(await listen(other, [created.taskId])).toMatchObject([
          { method: "notifications/subscriptions/acknowledged", params: { notifications: { taskIds: [] } } },
          { id: 1, result: { resultType: "complete" } },
        ]);
        expect((await settled(owner, created.taskId, 20_000)).status).toBe("completed");
      });

      it("revoking the grant ends its tasks: the same client signing the same user in again does not find them, and their work stops", async () => {
        const auth = signIn("ada@example.com") as TestOAuthProvider;
        const first = await connect("ada@example.com", auth);
        const created = await start(first, 30, 1000);
        const clientId = auth.clientInformation()?.client_id as string;
        // RFC 7009 revocation of the refresh token revokes the whole grant.
        const revoked = await fetch(`${server.origin}/token`, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({
            token: auth.tokens()?.refresh_token as string,
            token_type_hint: "refresh_token",
            client_id: clientId,
          }),
          signal: AbortSignal.timeout(10_000),
        });
        expect(revoked.status).toBe(200);
        auth.forgetTokens();
        const again = await connect("ada@example.com", auth);
        expect(auth.clientInformation()?.client_id).toBe(clientId);
        await expect(get(again, created.taskId)).rejects.toMatchObject({ code: -32602 });
        await expect(cancel(again, created.taskId)).rejects.toMatchObject({ code: -32602 });
        // The new grant's own tasks are its to see.
        const mine = await start(again, 1, 10);
        expect((await settled(again, mine.taskId, 10_000)).status).toBe("completed");
        // And the revoked grant's task stopped its work at a progress report, long before its 30 s.
        const line = await taskLogLine(created.taskId, 15_000);
        expect(line).toMatchObject({ tool: "count_slowly", outcome: "revoked" });
        expect(line.ms).toBeLessThan(15_000);
      });
    }
  });
}
