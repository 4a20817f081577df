import { AsyncLocalStorage } from "node:async_hooks";

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

/** The fields of the request being served, filled in as they become known (see `annotate`). */
const requestFields = new AsyncLocalStorage<LogFields>();

/** Runs `serve` with `fields` as the current request's log fields; `annotate` adds to them. */
export function withRequestFields<T>(fields: LogFields, serve: () => T): T {
  return requestFields.run(fields, serve);
}

/**
 * Adds what a deeper layer learned (client id, user id, tool, outcome) to the current request's
 * one log line; outside a request, nothing happens. Redaction applies when the line is written.
 */
export function annotate(fields: LogFields): void {
  const current = requestFields.getStore();
  if (current) Object.assign(current, fields);
}

let quiet = false;

/** Turns request logging off (benchmarks) or on. */
export function setQuiet(value: boolean): void {
  quiet = value;
}

/** One structured JSON line, secrets redacted. */
export function log(fields: LogFields): void {
  if (quiet) return;
  console.log(JSON.stringify(redact({ ts: new Date().toISOString(), ...fields })));
}

/** Error name and message only: never a stack, never request data. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}
