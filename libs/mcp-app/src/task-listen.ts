import { SERVER_INFO_META_KEY, SUBSCRIPTION_ID_META_KEY } from "@modelcontextprotocol/server";
import { type Caller, describeError, log } from "@repo/mcp-core";
import type { ServerDefinition } from "./definition.js";
import { declaresExtension, isObject, type McpMessage, TASKS_EXTENSION } from "./message.js";
import { ownerOf } from "./owner.js";
import { KEEP_ALIVE_MS, SseStream } from "./sse-stream.js";
import { hasTaskTools, isTaskId, taskStub } from "./tasks.js";

/**
 * Task status notifications (SEP-2663 `notifications/tasks`) on a 2026-07-28 `subscriptions/listen`
 * stream whose filter names task ids (`notifications.taskIds`). The SDK's listen router knows only
 * the four list/resource change events, so a listen request naming tasks is served here: the
 * acknowledgement names the caller's own tasks among those asked for (another caller's, or an
 * unknown id, is left out as tasks/get would answer it "not found"), then every change of each
 * task comes as it happens, pushed by the task's Durable Object (McpTasks.watch), the task in the
 * shape tasks/get answers. The stream ends, with the listen request's result, once every task it
 * watches is terminal or gone; the client ends it earlier by closing it.
 */

/** The most tasks one listen request may watch. */
export const MAX_WATCHED_TASKS = 32;

/** The task ids a listen message asks to watch, when it is one this module serves; undefined otherwise. */
export function watchedTaskIds(message: McpMessage | undefined, definition: ServerDefinition): unknown[] | undefined {
  if (message?.method !== "subscriptions/listen" || !message.claimsModern || !hasTaskTools(definition)) return undefined;
  const params = isObject(message.value) && isObject(message.value.params) ? message.value.params : undefined;
  const meta = isObject(params?._meta) ? params._meta : undefined;
  const notifications = isObject(params?.notifications) ? params.notifications : undefined;
  if (notifications?.taskIds === undefined || !declaresExtension(meta, TASKS_EXTENSION)) return undefined;
  return Array.isArray(notifications.taskIds) ? notifications.taskIds : [notifications.taskIds];
}

export async function listenToTasks(
  message: McpMessage,
  taskIds: readonly unknown[],
  caller: Caller,
  env: unknown,
  definition: ServerDefinition,
): Promise<Response> {
  const id = message.id ?? null;
  if (taskIds.length > MAX_WATCHED_TASKS || !taskIds.every((taskId) => typeof taskId === "string")) {
    const error = {
      code: -32602,
      message: `Invalid params: notifications.taskIds must be an array of at most ${MAX_WATCHED_TASKS} task ids`,
    };
    return Response.json({ jsonrpc: "2.0", id, error });
  }
  const serverInfo = { name: definition.name, version: definition.version };
  const owner = ownerOf(caller);
  const unique = [...new Set(taskIds as string[])].filter(isTaskId);
  const watched = await Promise.all(unique.map(async (taskId) => ({ taskId, stream: await taskStub(env, taskId).watch(owner) })));
  const streams = watched.filter((entry): entry is { taskId: string; stream: ReadableStream<Uint8Array> } => entry.stream !== undefined);

  const subscription = { [SUBSCRIPTION_ID_META_KEY]: id };
  const readers = streams.map(({ stream }) => stream.getReader());
  const sse = new SseStream(() => {
    for (const reader of readers) void reader.cancel().catch(() => {});
  });
  sse.send({
    jsonrpc: "2.0",
    method: "notifications/subscriptions/acknowledged",
    params: { notifications: { taskIds: streams.map(({ taskId }) => taskId) }, _meta: subscription },
  });
  sse.keepAlive(KEEP_ALIVE_MS.idleSession);
  const relay = async (reader: ReadableStreamDefaultReader<Uint8Array>) => {
    const decoder = new TextDecoder();
    let pending = "";
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      pending += decoder.decode(read.value, { stream: true });
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        const task = JSON.parse(pending.slice(0, end)) as Record<string, unknown>;
        pending = pending.slice(end + 1);
        sse.send({ jsonrpc: "2.0", method: "notifications/tasks", params: { ...task, _meta: subscription } });
      }
    }
  };
  Promise.all(readers.map(relay))
    .then(() => {
      // Every watched task is over: the listen request's result ends the stream (as the SDK ends one gracefully).
      sse.send({ jsonrpc: "2.0", id, result: { resultType: "complete", _meta: { ...subscription, [SERVER_INFO_META_KEY]: serverInfo } } });
    })
    .catch((error) => {
      if (sse.open) log({ event: "mcp_error", error: describeError(error) });
    })
    .finally(() => sse.close());
  return sse.response();
}
