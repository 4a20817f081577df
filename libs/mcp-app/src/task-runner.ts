import { ProtocolError } from "@modelcontextprotocol/server";
import { type AnyTool, type Caller, CallerSchema, describeError, isInputRequired, log, type ToolContext, toolError } from "@repo/mcp-core";
import { Agent } from "agents";
import * as z from "zod";
import type { ServerDefinition } from "./definition.js";

/**
 * The durable side of MCP Tasks: one Agent (a Durable Object with SQLite state and alarms, from
 * Cloudflare's Agents SDK) per task, named by the task id. It stores the task, runs the tool in a
 * fiber (`runFiber`: if the isolate dies mid-run, `onFiberRecovered` runs it again on the next
 * start, so a task survives a restart and finishes), keeps the result until the task's TTL (an
 * Agent schedule), and stops the work on cancel. Every method takes the owner (client + user) and
 * answers a task of another owner as absent.
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

/** The RPC surface of the task Agent, as the Worker calls it. */
export interface McpTasksRpc {
  start(start: TaskStart): Promise<TaskView>;
  view(owner: string): Promise<TaskView | undefined>;
  cancel(owner: string): Promise<boolean>;
  update(owner: string, responses: Record<string, unknown>): Promise<boolean>;
}

export const POLL_INTERVAL_MS = 1000;
export const TERMINAL: ReadonlySet<TaskStatus> = new Set(["completed", "failed", "cancelled"]);

interface Row {
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

const iso = (ms: number) => new Date(ms).toISOString();
const json = <T>(text: string | null): T | undefined => (text === null ? undefined : (JSON.parse(text) as T));

export function createTaskRunnerClass(definition: ServerDefinition, props: z.ZodType = z.unknown()) {
  const TaskCaller = CallerSchema.extend({ props });
  const tools = new Map<string, AnyTool>(definition.tools.filter((tool) => tool.task).map((tool) => [tool.name, tool]));

  return class McpTasks extends Agent implements McpTasksRpc {
    /** The running handler's abort switch, in the isolate that runs it. */
    private running: AbortController | undefined;

    override async onStart(): Promise<void> {
      this.sql`CREATE TABLE IF NOT EXISTS mcp_task (
        owner TEXT NOT NULL, tool TEXT NOT NULL, args TEXT NOT NULL, caller TEXT NOT NULL, capabilities TEXT NOT NULL,
        status TEXT NOT NULL, status_message TEXT, result TEXT, error TEXT, input_requests TEXT,
        input_responses TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, ttl_ms INTEGER NOT NULL)`;
    }

    private row(): Row | undefined {
      return this.sql<Row>`SELECT * FROM mcp_task LIMIT 1`[0];
    }

    private owned(owner: string): Row | undefined {
      const row = this.row();
      return row && row.owner === owner && Date.now() < row.created_at + row.ttl_ms ? row : undefined;
    }

    private toView(row: Row): TaskView {
      return {
        taskId: this.name,
        status: row.status,
        ...(row.status_message !== null && { statusMessage: row.status_message }),
        createdAt: iso(row.created_at),
        lastUpdatedAt: iso(row.updated_at),
        ttlMs: row.ttl_ms,
        pollIntervalMs: POLL_INTERVAL_MS,
        ...(row.status === "completed" && row.result !== null && { result: json(row.result) }),
        ...(row.status === "failed" && row.error !== null && { error: json(row.error) }),
        ...(row.status === "input_required" && row.input_requests !== null && { inputRequests: json(row.input_requests) }),
      };
    }

    /** Moves the task on; a task already cancelled (or otherwise terminal) stays as it is. */
    private settle(status: TaskStatus, fields: { result?: unknown; error?: unknown; inputRequests?: unknown; message?: string } = {}) {
      const current = this.row();
      if (!current || TERMINAL.has(current.status)) return;
      const text = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
      this.sql`UPDATE mcp_task SET status = ${status}, result = ${text(fields.result)}, error = ${text(fields.error)},
        input_requests = ${text(fields.inputRequests)}, status_message = ${fields.message ?? null}, updated_at = ${Date.now()}`;
    }

    async start(start: TaskStart): Promise<TaskView> {
      if (this.row()) throw new Error(`task ${this.name} exists already`);
      if (!tools.has(start.tool)) throw new Error(`${start.tool} does not run as a task`);
      const caller = TaskCaller.parse(start.caller);
      const now = Date.now();
      // Written before the answer: a tasks/get right after creation finds the task (SEP-2663).
      this.sql`INSERT INTO mcp_task (owner, tool, args, caller, capabilities, status, input_responses, created_at, updated_at, ttl_ms)
        VALUES (${start.owner}, ${start.tool}, ${JSON.stringify(start.args)}, ${JSON.stringify(caller)},
        ${JSON.stringify(start.clientCapabilities)}, ${"working"}, ${JSON.stringify(start.inputResponses)}, ${now}, ${now}, ${start.ttlMs})`;
      await this.schedule(Math.ceil(start.ttlMs / 1000), "expire");
      this.launch();
      return this.toView(this.row() as Row);
    }

    async view(owner: string): Promise<TaskView | undefined> {
      const row = this.owned(owner);
      return row && this.toView(row);
    }

    /** Cancels a running task and stops its work; a terminal task is left as it is (idempotent). */
    async cancel(owner: string): Promise<boolean> {
      const row = this.owned(owner);
      if (!row) return false;
      if (!TERMINAL.has(row.status)) {
        this.settle("cancelled", { message: "Cancelled by the client." });
        this.running?.abort(new Error("The task was cancelled."));
      }
      return true;
    }

    /** Answers to a task's pending input requests; once none is pending, the tool runs again with every answer. */
    async update(owner: string, responses: Record<string, unknown>): Promise<boolean> {
      const row = this.owned(owner);
      if (!row) return false;
      if (row.status !== "input_required") return true;
      const pending = { ...(json<Record<string, unknown>>(row.input_requests) ?? {}) };
      const answers = { ...(json<Record<string, unknown>>(row.input_responses) ?? {}) };
      for (const [key, value] of Object.entries(responses)) {
        if (!(key in pending)) continue;
        answers[key] = value;
        delete pending[key];
      }
      this
        .sql`UPDATE mcp_task SET input_responses = ${JSON.stringify(answers)}, input_requests = ${JSON.stringify(pending)}, updated_at = ${Date.now()}`;
      if (Object.keys(pending).length === 0) {
        this.sql`UPDATE mcp_task SET status = ${"working"}, input_requests = ${null}`;
        this.launch();
      }
      return true;
    }

    /** The TTL has passed: the task and its result are deleted. */
    async expire(): Promise<void> {
      this.running?.abort(new Error("The task expired."));
      this.sql`DELETE FROM mcp_task`;
    }

    private launch(): void {
      void this.runFiber("mcp-task", () => this.execute()).catch((error) =>
        log({ event: "task_error", task: this.name.slice(0, 8), error: describeError(error) }),
      );
    }

    /** After a restart mid-run: run the tool again, unless the task ended or waits for input. */
    override async onFiberRecovered(): Promise<void> {
      const row = this.row();
      if (row?.status === "working") this.launch();
    }

    private async execute(): Promise<void> {
      const row = this.row();
      const tool = row && tools.get(row.tool);
      if (!row || !tool || row.status !== "working") return;
      // JSON drops a key whose value is undefined: an anonymous caller's props.
      const caller = TaskCaller.parse({ props: undefined, ...JSON.parse(row.caller) }) as Caller;
      const controller = new AbortController();
      this.running = controller;
      const started = Date.now();
      const context: ToolContext = {
        props: caller.props,
        scopes: caller.scopes,
        env: this.env,
        signal: controller.signal,
        clientCapabilities: JSON.parse(row.capabilities),
        inputResponses: json(row.input_responses) ?? {},
        progress: async (progress, total, message) => {
          if (controller.signal.aborted) return;
          const text = message ?? (total ? `${progress} of ${total}` : String(progress));
          this.sql`UPDATE mcp_task SET status_message = ${text}, updated_at = ${Date.now()} WHERE status = ${"working"}`;
        },
        log: async () => {},
      };
      const record = (outcome: string, error?: unknown) =>
        log({
          event: "task",
          tool: tool.name,
          task: this.name.slice(0, 8),
          outcome,
          ms: Date.now() - started,
          clientId: caller.clientId,
          userId: caller.userId,
          ...(error !== undefined && { error: describeError(error) }),
        });
      try {
        const result = await tool.handler(JSON.parse(row.args), context);
        if (isInputRequired(result)) {
          this.settle("input_required", { inputRequests: result.inputRequests ?? {}, message: "Waiting for the client's input." });
          record("input_required");
        } else {
          this.settle("completed", { result });
          record(result.isError ? "tool_error" : "ok");
        }
      } catch (error) {
        if (error instanceof ProtocolError) {
          this.settle("failed", {
            error: { code: error.code, message: error.message, ...(error.data !== undefined && { data: error.data }) },
          });
          record("protocol_error", error);
        } else {
          // As for a call: the model gets a message it can act on, the details go to the log.
          this.settle("completed", {
            result: toolError(`The ${tool.name} tool failed unexpectedly. The error was logged; try again later.`),
          });
          record("exception", error);
        }
      } finally {
        if (this.running === controller) this.running = undefined;
      }
    }
  };
}
