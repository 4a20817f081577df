import { AsyncLocalStorage } from "node:async_hooks";
import type { RequestTrace, SpanRecord } from "./trace.js";

/** Keys whose values are never written to a log line, whatever their depth. */
const SECRET_KEYS = /token|secret|password|authorization|cookie|props|code_verifier|^code$|api[_-]?key/i;

export type LogFields = Record<string, unknown>;

/** Copies fields for logging with every secret-looking value replaced. */
export function redact(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    out[key] = SECRET_KEYS.test(key) ? "[redacted]" : redactValue(value);
  }
  return out;
}

function redactValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value && typeof value === "object") return redact(value as LogFields);
  return value;
}

/** What the code serving one request shares: its log fields, its trace and the span it is in. */
export interface RequestScope {
  /** The request's log line, filled in as fields become known (see `annotate`). */
  fields: LogFields;
  trace?: RequestTrace;
  /** The span being run (inSpan); undefined: the trace's root span. */
  span?: SpanRecord;
}

const requestScope = new AsyncLocalStorage<RequestScope>();

/** Runs `serve` with `fields` as the current request's log fields (`annotate` adds to them) and `trace` as its trace. */
export function withRequestFields<T>(fields: LogFields, serve: () => T, trace?: RequestTrace): T {
  return requestScope.run({ fields, trace }, serve);
}

/** The current request's scope; undefined outside a request. */
export function currentScope(): RequestScope | undefined {
  return requestScope.getStore();
}

/** Runs `serve` in `scope` (a child span of the current request). */
export function runInScope<T>(scope: RequestScope, serve: () => T): T {
  return requestScope.run(scope, serve);
}

/**
 * Adds what a deeper layer learned (client id, user id, tool, outcome) to the current request's
 * one log line; outside a request, nothing happens. Redaction applies when the line is written.
 */
export function annotate(fields: LogFields): void {
  const current = requestScope.getStore();
  if (current) Object.assign(current.fields, fields);
}

let quiet = false;
let pretty = false;

/** Turns request logging off (benchmarks) or on. */
export function setQuiet(value: boolean): void {
  quiet = value;
}

/**
 * "pretty": one short readable line per entry, for a terminal (`LOG_FORMAT` in local dev);
 * anything else: one JSON object per line, what Workers Logs indexes (the deployed default).
 */
export function setLogFormat(format: string | undefined): void {
  pretty = format === "pretty";
}

/**
 * One structured line, secrets redacted. Inside a request it carries the request's `trace_id`
 * and the `span_id` of the span it was written in (see docs/observability.md).
 */
export function log(fields: LogFields): void {
  if (quiet) return;
  const scope = requestScope.getStore();
  const trace = scope?.trace && { trace_id: scope.trace.traceId, span_id: (scope.span ?? scope.trace.root).spanId };
  const line = redact({ ts: new Date().toISOString(), ...fields, ...trace });
  console.log(pretty ? prettyLine(line) : JSON.stringify(line));
}

/** Keys a pretty line shows in its head, in this order; the rest follow as key=value. */
const HEAD = ["method", "route", "status", "ms", "event", "tool", "outcome"] as const;
const OMITTED = new Set<string>(["ts", "app", "span_id", ...HEAD]);

/** e.g. `12:00:01 POST /mcp 200 4ms tool=add outcome=ok client=abc trace=4bf92f35`: one line per request. */
function prettyLine(line: LogFields): string {
  const time = typeof line.ts === "string" ? line.ts.slice(11, 19) : "";
  const head = [time, line.method, line.route, line.status, line.ms === undefined ? undefined : `${line.ms}ms`, line.event];
  const rest = Object.entries(line)
    .filter(([key, value]) => !OMITTED.has(key) && value !== undefined)
    .map(
      ([key, value]) =>
        `${key}=${key === "trace_id" ? String(value).slice(0, 8) : typeof value === "string" ? value : JSON.stringify(value)}`,
    );
  const tool = line.tool === undefined ? [] : [`tool=${line.tool}`, ...(line.outcome === undefined ? [] : [`outcome=${line.outcome}`])];
  const outcome = line.tool === undefined && line.outcome !== undefined ? [`outcome=${line.outcome}`] : [];
  return [...head.filter((part) => part !== undefined && part !== ""), ...tool, ...outcome, ...rest].join(" ");
}

/** Error name and message only: never a stack, never request data. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}
