import {
  CLIENT_CAPABILITIES_META_KEY,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ServerContext,
} from "@modelcontextprotocol/server";
import type { AnyTool, Caller } from "@repo/mcp-core";
import * as z from "zod";
import type { ServerDefinition } from "./definition.js";
import { type McpMessage, TASKS_EXTENSION } from "./message.js";
import { ownerOf } from "./owner.js";
import type { Reach } from "./reach.js";
import type { McpTasksRpc, TaskView } from "./task-runner.js";

/**
 * MCP Tasks (the `io.modelcontextprotocol/tasks` extension of 2026-07-28, SEP-2663), on the
 * server built per request: a task-capable tools/call becomes a task in the app's task runner
 * (task-runner.ts), and tasks/get, tasks/update and tasks/cancel reach it. The extension is
 * negotiated per request: a client declares it in `_meta` under the client capabilities, and a
 * request that does not is answered as if the extension did not exist (-32021 for the task
 * methods, an ordinary call for an optional task tool).
 */

/** SEP-2575 Missing Required Client Capability. */
export const MISSING_CAPABILITY = -32021;
/** How long a task and its result are kept when its tool says nothing. */
export const DEFAULT_TASK_TTL_MS = 60 * 60 * 1000;

/** The binding of the task runner (createTaskRunnerClass), exported by the app as McpTasks. */
export interface TasksEnv {
  MCP_TASKS?: DurableObjectNamespace;
}

/** Each definition's tools that run as tasks, found once per isolate. */
const taskToolNames = new WeakMap<ServerDefinition, ReadonlySet<string>>();

function taskTools(definition: ServerDefinition): ReadonlySet<string> {
  let names = taskToolNames.get(definition);
  if (!names) {
    names = new Set(definition.tools.filter((tool) => tool.task).map((tool) => tool.name));
    taskToolNames.set(definition, names);
  }
  return names;
}

export const hasTaskTools = (definition: ServerDefinition) => taskTools(definition).size > 0;

/**
 * Whether a server built for `reach` needs the task methods: a server for everything (an SSE
 * session, a tasks/* request, a batch) or for a call of a task tool; not a call of another tool
 * or a list, which are most requests (buildServer registers only what a request can reach).
 */
export function reachesTasks(definition: ServerDefinition, reach: Reach | undefined): boolean {
  const names = taskTools(definition);
  if (names.size === 0) return false;
  return !reach || (typeof reach.tools === "string" && reach.tools !== "all" && names.has(reach.tools));
}

export { TASKS_EXTENSION };

const REQUIRED_CAPABILITIES = { requiredCapabilities: { extensions: { [TASKS_EXTENSION]: {} } } };

/**
 * The capability gate, before dispatch on every transport: a call of a tool that runs only as a
 * task, from a request that cannot take a task (it does not declare the extension, or its era has
 * no tasks), is answered -32021 naming the extension. undefined: go on.
 */
export function taskCapabilityRefusal(messages: readonly McpMessage[]): Response | undefined {
  const refused = messages.find((message) => message.lacksTasks);
  if (!refused) return undefined;
  const message = `The ${refused.name} tool runs only as a task: declare the ${TASKS_EXTENSION} extension in the request's client capabilities (protocol 2026-07-28).`;
  return Response.json({
    jsonrpc: "2.0",
    id: refused.id ?? null,
    error: { code: MISSING_CAPABILITY, message, data: REQUIRED_CAPABILITIES },
  });
}

const requiredCapability = (what: string) =>
  new ProtocolError(MISSING_CAPABILITY, `${what} needs the ${TASKS_EXTENSION} extension: declare it in the request's client capabilities`, {
    ...REQUIRED_CAPABILITIES,
  });

/** Whether this request declares the Tasks extension among its client capabilities. */
export function declaresTasks(ctx: ServerContext): boolean {
  const declared = ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as keyof typeof ctx.mcpReq.envelope] as
    | { extensions?: Record<string, unknown> }
    | undefined;
  return declared?.extensions?.[TASKS_EXTENSION] !== undefined;
}

/** Task ids are UUIDs minted here; anything else names no task and reaches no Durable Object. */
const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isTaskId = (taskId: string) => TASK_ID.test(taskId);

export function taskStub(env: unknown, taskId: string): McpTasksRpc {
  const namespace = (env as TasksEnv).MCP_TASKS;
  if (!namespace) throw new ProtocolError(ProtocolErrorCode.InternalError, "This server runs tasks but has no MCP_TASKS binding");
  return namespace.get(namespace.idFromName(taskId)) as unknown as McpTasksRpc;
}

/** The flat CreateTaskResult: the task's fields at the top level, `resultType: "task"`. */
function created(view: TaskView) {
  const { result: _result, error: _error, inputRequests: _input, ...task } = view;
  return { resultType: "task" as const, ...task };
}

/**
 * A tools/call of a task tool: the CreateTaskResult of a new task when the request declares the
 * extension; a refusal when the tool requires it and the request does not; undefined to run the
 * call as an ordinary one.
 */
export async function startTask(
  tool: AnyTool,
  args: Record<string, unknown>,
  caller: Caller,
  env: unknown,
  ctx: ServerContext,
): Promise<ReturnType<typeof created> | undefined> {
  const task = tool.task;
  if (!task) return undefined;
  if (!declaresTasks(ctx)) {
    if (task.support === "required") throw requiredCapability(`The ${tool.name} tool runs only as a task; it`);
    return undefined;
  }
  const taskId = crypto.randomUUID();
  const declared = ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY as keyof typeof ctx.mcpReq.envelope];
  const view = await taskStub(env, taskId).start({
    taskId,
    owner: ownerOf(caller),
    caller,
    tool: tool.name,
    args,
    ttlMs: task.ttlMs ?? DEFAULT_TASK_TTL_MS,
    clientCapabilities: (declared ?? {}) as Record<string, unknown>,
    // Answers gathered before the task (TaskOptions.gather) go with it.
    inputResponses: (ctx.mcpReq.inputResponses ?? {}) as Record<string, unknown>,
  });
  return created(view);
}

const TaskParams = z.looseObject({ taskId: z.string().max(100) });
const Responses = z.record(z.string(), z.unknown());

/** tasks/get, tasks/update and tasks/cancel on a server whose definition has task tools. */
export function registerTaskMethods(server: McpServer, caller: Caller, env: unknown): void {
  const owner = ownerOf(caller);
  /** The caller's task, or the -32602 a task id of another caller gets too. */
  const reach = (taskId: string, ctx: ServerContext) => {
    if (!declaresTasks(ctx)) throw requiredCapability("This method");
    if (!isTaskId(taskId)) throw notFound(taskId);
    return taskStub(env, taskId);
  };
  server.server.setRequestHandler("tasks/get", { params: TaskParams }, async ({ taskId }, ctx) => {
    const view = await reach(taskId, ctx).view(owner);
    if (!view) throw notFound(taskId);
    return { ...view };
  });
  server.server.setRequestHandler("tasks/cancel", { params: TaskParams }, async ({ taskId }, ctx) => {
    if (!(await reach(taskId, ctx).cancel(owner))) throw notFound(taskId);
    return {};
  });
  server.server.setRequestHandler("tasks/update", { params: TaskParams }, async (params, ctx) => {
    const agent = reach(params.taskId, ctx);
    // The SDK lifts a request's inputResponses (SEP-2322) out of params onto the context.
    const responses = Responses.safeParse(ctx.mcpReq.inputResponses ?? params.inputResponses);
    if (!responses.success)
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, "tasks/update needs inputResponses: an object keyed by input request id");
    if (!(await agent.update(owner, responses.data))) throw notFound(params.taskId);
    return {};
  });
}

const notFound = (taskId: string) => new ProtocolError(ProtocolErrorCode.InvalidParams, `Task not found: ${taskId.slice(0, 100)}`);
