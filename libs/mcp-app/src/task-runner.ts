import { DurableObject } from "cloudflare:workers";
import { ProtocolError } from "@modelcontextprotocol/server";
import { type AnyTool, type Caller, CallerSchema, describeError, isInputRequired, log, type ToolContext, toolError } from "@repo/mcp-core";
import { Lifecycle, type LifecycleJobContext } from "agents/lifecycle";
import { type TaskJson, type TaskStep, Tasks } from "agents/tasks";
import * as z from "zod";
import type { ServerDefinition } from "./definition.js";

/**
 * The durable side of MCP Tasks: one Durable Object per task, named by the task id, running on
 * Cloudflare's Agents SDK: its `Lifecycle` (durable job queue on the object's alarm) and its
 * `Tasks` capability (durable runs: accepted before the answer, executed from the alarm, replayed
 * after process loss, cancelled through an AbortSignal). The MCP side of the task (owner, status,
 * pending input, TTL) is a row of this object's SQLite; each execution of the tool is one Tasks
 * run, and a task in `input_required` gets a new run once every answer is in. The TTL is a
 * Lifecycle job that deletes the task and its runs. Every method takes the owner (client + user)
 * and answers a task of another owner as absent.
 *
 * Not the `Agent` class: it carries the SDK's MCP client, e-mail and chat machinery. Measured
 * minified and gzipped: `Agent` alone 269 KiB, `Lifecycle` + `Tasks` 16 KiB; the authless app's
 * Worker went from 109 to 129 KiB with this runner (it would pass 375 KiB with an Agent).
 */

export type TaskStatus = "working" | "input_required" | "completed" | "failed" | "cancelled";

/** A task as tasks/get shows it (SEP-2663 DetailedTask), less the wire framing. */
export interface TaskView {
  taskId: string;
  status: TaskStatus;
  statusMessage?: string;
  createdAt: string;
  lastUpdatedAt: string;
  ttlMs: number;
  pollIntervalMs: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
  inputRequests?: Record<string, unknown>;
}

/** What starts a task: who asked, which tool with which (already validated) arguments. */
export interface TaskStart {
  taskId: string;
  owner: string;
  caller: Caller;
  tool: string;
  args: Record<string, unknown>;
  ttlMs: number;
  clientCapabilities: Record<string, unknown>;
  inputResponses: Record<string, unknown>;
}

/** The RPC surface of the task runner, as the Worker calls it. */
export interface McpTasksRpc {
  start(start: TaskStart): Promise<TaskView>;
  view(owner: string): Promise<TaskView | undefined>;
  cancel(owner: string): Promise<boolean>;
  update(owner: string, responses: Record<string, unknown>): Promise<boolean>;
  /** The task's views as they change (NDJSON), from its current one to its terminal one; undefined for a task not the owner's. */
  watch(owner: string): Promise<ReadableStream<Uint8Array> | undefined>;
}

export const POLL_INTERVAL_MS = 1000;
export const TERMINAL: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "cancelled"]);

interface Row {
  task_id: string;
  run_id: string | null;
  owner: string;
  tool: string;
  args: string;
  caller: string;
  capabilities: string;
  status: TaskStatus;
  status_message: string | null;
  result: string | null;
  error: string | null;
  input_requests: string | null;
  input_responses: string;
  created_at: number;
  updated_at: number;
  ttl_ms: number;
}

const encoder = new TextEncoder();
const iso = (ms: number) => new Date(ms).toISOString();
const json = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));

/** Whether the grant a task's caller signed in with still stands (McpAuth.grantStands). */
export type GrantCheck = (env: unknown, caller: Caller) => Promise<boolean>;

/** How often a running task's progress reports may check its grant. */
export const GRANT_CHECK_MS = 5000;

export function createTaskRunnerClass(
  definition: ServerDefinition,
  props: z.ZodType = z.unknown(),
  grantStands?: GrantCheck,
): new (
  ctx: DurableObjectState,
  env: Cloudflare.Env,
) => DurableObject & McpTasksRpc {
  const TaskCaller = CallerSchema.extend({ props });
  const tools = new Map<string, AnyTool>(definition.tools.filter((tool) => tool.task).map((tool) => [tool.name, tool]));

  /** What one execution of the tool produced: the MCP task's next state. */
  type Outcome =
    | { kind: "result"; result: Record<string, unknown> }
    | { kind: "input"; inputRequests: Record<string, unknown> }
    | { kind: "error"; error: { code: number; message: string; data?: unknown } }
    | { kind: "revoked" };

  return class McpTasks extends DurableObject implements McpTasksRpc {
    private readonly tasks = new Tasks({
      definitions: { tool: (_input: unknown, step: TaskStep) => this.execute(step) },
      // A tool's failure is an outcome, not a reason to run it twice.
      retries: { limit: 1 },
      stepTimeout: "15 minutes",
    });
    readonly lifecycle: Lifecycle;
    /** The streams of watch(): each gets the task's view on every change, and ends with the task. */
    private readonly watchers = new Set<WritableStreamDefaultWriter<Uint8Array>>();

    constructor(ctx: DurableObjectState, env: unknown) {
      super(ctx, env as never);
      this.lifecycle = Lifecycle.install(this);
      this.lifecycle.use(this.tasks);
    }

    onStart(): void {
      this.lifecycle.sql`CREATE TABLE IF NOT EXISTS mcp_task (
        task_id TEXT NOT NULL, owner TEXT NOT NULL, tool TEXT NOT NULL, args TEXT NOT NULL, caller TEXT NOT NULL,
        capabilities TEXT NOT NULL, status TEXT NOT NULL, status_message TEXT, result TEXT, error TEXT,
        input_requests TEXT, input_responses TEXT NOT NULL, run_id TEXT, created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL, ttl_ms INTEGER NOT NULL)`;
    }

    private row(): Row | undefined {
      return this.lifecycle.sql<Row>`SELECT * FROM mcp_task LIMIT 1`[0];
    }

    private async owned(owner: string): Promise<Row | undefined> {
      await this.lifecycle.start();
      const row = this.row();
      return row && row.owner === owner && Date.now() < row.created_at + row.ttl_ms ? row : undefined;
    }

    private toView(row: Row): TaskView {
      return {
        taskId: row.task_id,
        status: row.status,
        ...(row.status_message !== null && { statusMessage: row.status_message }),
        createdAt: iso(row.created_at),
        lastUpdatedAt: iso(row.updated_at),
        ttlMs: row.ttl_ms,
        pollIntervalMs: POLL_INTERVAL_MS,
        // The tool's CallToolResult as a 2026-07-28 result: `resultType: "complete"` (the official Tasks client requires it).
        ...(row.status === "completed" && row.result !== null && { result: { resultType: "complete", ...json<object>(row.result) } }),
        ...(row.status === "failed" && row.error !== null && { error: json(row.error) }),
        ...(row.status === "input_required" && row.input_requests !== null && { inputRequests: json(row.input_requests) }),
      };
    }

    /** Moves the task on; a task already cancelled (or otherwise terminal) stays as it is. */
    private settle(status: TaskStatus, fields: { result?: unknown; error?: unknown; inputRequests?: unknown; message?: string } = {}) {
      const current = this.row();
      if (!current || TERMINAL.has(current.status)) return;
      const text = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
      this.lifecycle.sql`UPDATE mcp_task SET status = ${status}, result = ${text(fields.result)}, error = ${text(fields.error)},
        input_requests = ${text(fields.inputRequests)}, status_message = ${fields.message ?? null}, updated_at = ${Date.now()}`;
      this.changed();
    }

    /** Tells every watcher the task's new view; a terminal (or deleted) task ends their streams. */
    private changed(): void {
      const row = this.row();
      for (const writer of this.watchers) this.tell(writer, row);
    }

    private tell(writer: WritableStreamDefaultWriter<Uint8Array>, row: Row | undefined): void {
      const gone = () => this.watchers.delete(writer);
      if (row) writer.write(encoder.encode(`${JSON.stringify(this.toView(row))}\n`)).catch(gone);
      if (!row || TERMINAL.has(row.status)) {
        gone();
        writer.close().catch(() => {});
      }
    }

    /** One durable execution of the task's tool (a Tasks run); its id is kept on the task. */
    private async launch(): Promise<void> {
      const receipt = await this.tasks.run("tool", null, { retain: false });
      this.lifecycle.sql`UPDATE mcp_task SET run_id = ${receipt.runId}`;
    }

    async start(start: TaskStart): Promise<TaskView> {
      await this.lifecycle.start();
      if (this.row()) throw new Error("task exists already");
      if (!tools.has(start.tool)) throw new Error(`${start.tool} does not run as a task`);
      const caller = TaskCaller.parse(start.caller);
      const now = Date.now();
      // Written before the answer: a tasks/get right after creation finds the task (SEP-2663).
      this.lifecycle.sql`INSERT INTO mcp_task (task_id, owner, tool, args, caller, capabilities, status, input_responses,
        created_at, updated_at, ttl_ms)
        VALUES (${start.taskId}, ${start.owner}, ${start.tool}, ${JSON.stringify(start.args)}, ${JSON.stringify(caller)},
        ${JSON.stringify(start.clientCapabilities)}, ${"working"}, ${JSON.stringify(start.inputResponses)}, ${now}, ${now},
        ${start.ttlMs})`;
      await this.lifecycle.jobs.push({ id: "expire", fn: "expire", time: now + start.ttlMs });
      await this.launch();
      return this.toView(this.row() as Row);
    }

    async view(owner: string): Promise<TaskView | undefined> {
      const row = await this.owned(owner);
      return row && this.toView(row);
    }

    async watch(owner: string): Promise<ReadableStream<Uint8Array> | undefined> {
      const row = await this.owned(owner);
      if (!row) return undefined;
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const writer = writable.getWriter();
      this.watchers.add(writer);
      this.tell(writer, row);
      return readable;
    }

    /** Cancels a running task and stops its work; a terminal task is left as it is (idempotent). */
    async cancel(owner: string): Promise<boolean> {
      const row = await this.owned(owner);
      if (!row) return false;
      if (!TERMINAL.has(row.status)) {
        this.settle("cancelled", { message: "Cancelled by the client." });
        if (row.run_id) await this.tasks.cancel(row.run_id, "cancelled by the client");
      }
      return true;
    }

    /** Answers to a task's pending input requests; once none is pending, the tool runs again with every answer. */
    async update(owner: string, responses: Record<string, unknown>): Promise<boolean> {
      const row = await this.owned(owner);
      if (!row) return false;
      if (row.status !== "input_required") return true;
      const pending = { ...(json<Record<string, unknown>>(row.input_requests) ?? {}) };
      const answers = { ...(json<Record<string, unknown>>(row.input_responses) ?? {}) };
      for (const [key, value] of Object.entries(responses)) {
        if (!(key in pending)) continue;
        answers[key] = value;
        delete pending[key];
      }
      const done = Object.keys(pending).length === 0;
      this.lifecycle
        .sql`UPDATE mcp_task SET input_responses = ${JSON.stringify(answers)}, input_requests = ${done ? null : JSON.stringify(pending)},
        status = ${done ? "working" : "input_required"}, updated_at = ${Date.now()}`;
      this.changed();
      if (done) await this.launch();
      return true;
    }

    /** Lifecycle host job: the TTL has passed, so the task and its runs are deleted. */
    async onJob(context: LifecycleJobContext): Promise<void> {
      if (context.job.fn !== "expire") return;
      const row = this.row();
      if (row?.run_id && !TERMINAL.has(row.status)) await this.tasks.cancel(row.run_id, "expired");
      this.forget();
      await this.tasks.delete();
    }

    /** The body of a Tasks run: the tool, once per run (replayed from the start after process loss). */
    private async execute(step: TaskStep): Promise<void> {
      const row = this.row();
      const tool = row && tools.get(row.tool);
      if (!row || !tool || row.status !== "working") return;
      // The step's result is journaled as JSON: a replay after it completed does not run the tool again.
      const outcome = (await step.do(
        "call",
        async (attempt) => (await this.call(tool, row, attempt.signal)) as unknown as TaskJson,
      )) as unknown as Outcome;
      if (outcome.kind === "result") this.settle("completed", { result: outcome.result });
      else if (outcome.kind === "input")
        this.settle("input_required", { inputRequests: outcome.inputRequests, message: "Waiting for the client's input." });
      else if (outcome.kind === "error") this.settle("failed", { error: outcome.error });
      // The grant that started it was revoked: nothing of the task is kept (the TTL job clears its runs).
      else this.forget();
    }

    /** Deletes the task (its caller, props and result with it); watchers' streams end. */
    private forget(): void {
      this.lifecycle.sql`DELETE FROM mcp_task`;
      this.changed();
    }

    private async call(tool: AnyTool, row: Row, signal: AbortSignal): Promise<Outcome> {
      // JSON drops a key whose value is undefined: an anonymous caller's props.
      const caller = TaskCaller.parse({ props: undefined, ...JSON.parse(row.caller) }) as Caller;
      const started = Date.now();
      const record = (outcome: string, error?: unknown) =>
        log({
          event: "task",
          tool: tool.name,
          task: row.task_id.slice(0, 8),
          outcome,
          ms: Date.now() - started,
          clientId: caller.clientId,
          userId: caller.userId,
          ...(error !== undefined && { error: describeError(error) }),
        });
      // A task runs only while the grant that started it stands: checked before the tool runs, at
      // its progress reports (at most every GRANT_CHECK_MS) and before its result is kept.
      let checkedAt = 0;
      const grantGone = async () => {
        if (!grantStands || caller.grantId === undefined) return false;
        checkedAt = Date.now();
        // A check that cannot be made (storage unavailable) leaves the task running.
        return !(await grantStands(this.env, caller).catch(() => true));
      };
      const revoked = new AbortController();
      const running = AbortSignal.any([signal, revoked.signal]);
      const context: ToolContext = {
        props: caller.props,
        scopes: caller.scopes,
        env: this.env,
        signal: running,
        clientCapabilities: JSON.parse(row.capabilities),
        inputResponses: json(row.input_responses) ?? {},
        progress: async (progress, total, message) => {
          if (running.aborted) return;
          const text = message ?? (total ? `${progress} of ${total}` : String(progress));
          this.lifecycle.sql`UPDATE mcp_task SET status_message = ${text}, updated_at = ${Date.now()} WHERE status = ${"working"}`;
          this.changed();
          if (Date.now() - checkedAt >= GRANT_CHECK_MS && (await grantGone())) revoked.abort(new Error("the grant was revoked"));
        },
        log: async () => {},
      };
      if (await grantGone()) {
        record("revoked");
        return { kind: "revoked" };
      }
      const [outcome, label, error] = await this.attempt(tool, row, context);
      if (revoked.signal.aborted || (outcome.kind === "result" && (await grantGone()))) {
        record("revoked");
        return { kind: "revoked" };
      }
      record(label, error);
      return outcome;
    }

    /** One run of the tool: its outcome, and how the log line names it. */
    private async attempt(tool: AnyTool, row: Row, context: ToolContext): Promise<[Outcome, string, unknown?]> {
      try {
        const result = await tool.handler(JSON.parse(row.args), context);
        if (isInputRequired(result)) {
          return [{ kind: "input", inputRequests: (result.inputRequests ?? {}) as Record<string, unknown> }, "input_required"];
        }
        if (tool.outputSchema && !result.isError && !tool.outputSchema.safeParse(result.structuredContent).success) {
          // What the SDK checks of a call's result, checked here for a task's.
          const error = { code: -32602, message: `The ${tool.name} tool's result does not match its output schema.` };
          return [{ kind: "error", error }, "protocol_error", new Error("structuredContent does not match the output schema")];
        }
        return [{ kind: "result", result }, result.isError ? "tool_error" : "ok"];
      } catch (error) {
        if (error instanceof ProtocolError) {
          const data = error.data !== undefined && { data: error.data };
          return [{ kind: "error", error: { code: error.code, message: error.message, ...data } }, "protocol_error", error];
        }
        // As for a call: the model gets a message it can act on, the details go to the log.
        const result = toolError(`The ${tool.name} tool failed unexpectedly. The error was logged; try again later.`);
        return [{ kind: "result", result }, context.signal.aborted ? "cancelled" : "tool_error", error];
      }
    }
  };
}
