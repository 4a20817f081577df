// W3C Trace Context (https://www.w3.org/TR/trace-context/) for one request: the incoming context
// read and validated, the spans this Worker records under it, and the `traceparent` an outgoing
// call carries. Hand-written (no OpenTelemetry SDK in the bundle): see docs/observability.md.
import { currentScope, type RequestScope, runInScope } from "./log.js";

/** The parts of a valid `traceparent`: lowercase hex, neither id all zeros. */
export interface TraceParent {
  traceId: string;
  parentId: string;
  /** Whether the caller sampled (recorded) its side of the trace. */
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
const ALL_ZEROS = /^0+$/;

/**
 * A `traceparent` value parsed, or undefined when it is not one (never an error: a malformed value
 * is ignored and a new trace starts). Version 00 must be exactly 55 characters; a later version
 * may append fields after a dash (W3C §3.2.4); version ff is invalid.
 */
export function parseTraceparent(value: unknown): TraceParent | undefined {
  if (typeof value !== "string" || value.length < 55 || value.length > 256) return undefined;
  const match = TRACEPARENT.exec(value);
  if (!match) return undefined;
  const [, version, traceId = "", parentId = "", flags = "00", rest] = match;
  if (version === "ff" || (version === "00" && rest !== undefined)) return undefined;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(parentId)) return undefined;
  return { traceId, parentId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

const TRACESTATE_MEMBER = /^[a-z0-9][a-z0-9_\-*/@]{0,255}=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/** A `tracestate` value to pass on unchanged, or undefined when it is malformed or too long (W3C §3.3). */
export function parseTracestate(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length === 0 || value.length > 512) return undefined;
  const members = value.split(",").map((member) => member.trim());
  if (members.length > 32 || !members.every((member) => member === "" || TRACESTATE_MEMBER.test(member))) return undefined;
  return members.filter(Boolean).join(",") || undefined;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
/** Random bytes drawn from crypto.getRandomValues in bulk: one call per 512 ids, not one per id. */
const pool = new Uint8Array(4096);
let taken = pool.length;

/** `bytes` random bytes (crypto.getRandomValues) as lowercase hex, never all zeros. */
export function randomId(bytes: 8 | 16): string {
  for (;;) {
    if (taken + bytes > pool.length) {
      crypto.getRandomValues(pool);
      taken = 0;
    }
    let hex = "";
    let zero = true;
    for (let index = taken; index < taken + bytes; index++) {
      const byte = pool[index] as number;
      if (byte !== 0) zero = false;
      hex += HEX[byte];
    }
    taken += bytes;
    if (!zero) return hex;
  }
}

export type SpanKind = "server" | "internal" | "client";
export type SpanStatus = "unset" | "ok" | "error";
export type SpanAttributes = Record<string, string | number | boolean>;

/** One unit of work, as exported (otlp.ts). Attributes are set only from code, never from request data unchecked. */
export interface SpanRecord {
  name: string;
  spanId: string;
  parentSpanId: string | undefined;
  kind: SpanKind;
  startMs: number;
  endMs: number;
  status: SpanStatus;
  attributes: SpanAttributes;
}

/**
 * The trace one request belongs to, and the spans recorded for it. The root span (this Worker's
 * server span) is created with the trace; every log line of the request names it.
 */
export class RequestTrace {
  traceId: string;
  /** The caller's span this request's root span is a child of; undefined for a trace started here. */
  remoteParentId: string | undefined;
  sampled: boolean;
  tracestate: string | undefined;
  readonly root: SpanRecord;
  readonly spans: SpanRecord[] = [];
  /** Work of spans still running (a tool call answered on a stream outlives its response). */
  readonly running = new Set<Promise<unknown>>();

  constructor(name: string, traceparent?: unknown, tracestate?: unknown) {
    const parent = parseTraceparent(traceparent);
    this.traceId = parent?.traceId ?? randomId(16);
    this.remoteParentId = parent?.parentId;
    this.sampled = parent?.sampled ?? true;
    this.tracestate = parent ? parseTracestate(tracestate) : undefined;
    const now = Date.now();
    this.root = {
      name,
      spanId: randomId(8),
      parentSpanId: parent?.parentId,
      kind: "server",
      startMs: now,
      endMs: now,
      status: "unset",
      attributes: {},
    };
  }

  /**
   * Joins the trace a message's `params._meta` names (SEP-414), when it names a valid one.
   * The message wins over the HTTP `traceparent` header: SEP-414 makes `_meta` the MCP carrier of
   * trace context, it travels with the request through proxies and gateways that rewrite or drop
   * headers (mcp-remote, an API gateway's own span), and it is what the client's MCP span set.
   * Spans already recorded move with the root to the new trace; log lines already written keep
   * the id they were written with (only a token check and a rate limit run before the body is read).
   */
  adopt(meta: unknown): boolean {
    if (typeof meta !== "object" || meta === null) return false;
    const record = meta as Record<string, unknown>;
    const parent = parseTraceparent(record.traceparent);
    if (!parent) return false;
    this.traceId = parent.traceId;
    this.remoteParentId = parent.parentId;
    this.root.parentSpanId = parent.parentId;
    this.sampled = parent.sampled;
    this.tracestate = parseTracestate(record.tracestate);
    return true;
  }

  /** The `traceparent` a call made from span `spanId` carries. */
  traceparent(spanId: string): string {
    return `00-${this.traceId}-${spanId}-${this.sampled ? "01" : "00"}`;
  }

  /** Ends the root span when the response is ready. */
  finish(status: number): void {
    this.root.endMs = Date.now();
    this.root.status = status >= 500 ? "error" : "unset";
    this.root.attributes["http.response.status_code"] = status;
  }

  /** Every span of the request, root first, once its running spans have ended (or after `waitMs`). */
  async settled(waitMs: number): Promise<SpanRecord[]> {
    if (this.running.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const limit = new Promise((resolve) => {
        timer = setTimeout(resolve, waitMs);
      });
      await Promise.race([Promise.allSettled([...this.running]), limit]);
      clearTimeout(timer);
    }
    return [this.root, ...this.spans];
  }
}

function startSpan(scope: RequestScope & { trace: RequestTrace }, name: string, kind: SpanKind, attributes: SpanAttributes): SpanRecord {
  const now = Date.now();
  const span: SpanRecord = {
    name,
    spanId: randomId(8),
    parentSpanId: (scope.span ?? scope.trace.root).spanId,
    kind,
    startMs: now,
    endMs: now,
    status: "unset",
    attributes,
  };
  scope.trace.spans.push(span);
  return span;
}

/**
 * Runs `work` as a child span of the current one (log lines written inside name it); outside a
 * traced request, just runs it. The span's status is `error` when `work` throws.
 */
export async function inSpan<T>(name: string, attributes: SpanAttributes, work: (span: SpanRecord | undefined) => Promise<T>): Promise<T> {
  const scope = currentScope();
  if (!scope?.trace) return work(undefined);
  const trace = scope.trace;
  const span = startSpan(scope as RequestScope & { trace: RequestTrace }, name, "internal", attributes);
  const running = runInScope({ ...scope, span }, () => work(span));
  trace.running.add(running);
  try {
    return await running;
  } catch (error) {
    span.status = "error";
    throw error;
  } finally {
    span.endMs = Date.now();
    trace.running.delete(running);
  }
}

/** Joins the trace a message's `params._meta` names, for the rest of the current request (RequestTrace.adopt). */
export function adoptTraceMeta(meta: unknown): void {
  currentScope()?.trace?.adopt(meta);
}

/** The `traceparent` naming the current span, for work handed to another invocation (a Durable Object); undefined outside a request. */
export function currentTraceparent(): string | undefined {
  const scope = currentScope();
  return scope?.trace?.traceparent((scope.span ?? scope.trace.root).spanId);
}

/** Sets attributes of the current span (the request's root span outside any child). */
export function setSpanAttributes(attributes: SpanAttributes): void {
  const scope = currentScope();
  if (scope?.trace) Object.assign((scope.span ?? scope.trace.root).attributes, attributes);
}

/**
 * An outgoing HTTP call as a client span: `send` gets headers with a `traceparent` naming the same
 * trace and a new span id (and the caller's `tracestate`), to merge into its request. The span
 * records method, host, path and status only: never a header, a query string or a body.
 */
export async function tracedCall(
  name: string,
  target: { method: string; url: URL | string },
  send: (headers: Record<string, string>) => Promise<Response>,
): Promise<Response> {
  const scope = currentScope();
  if (!scope?.trace) return send({});
  const url = new URL(target.url);
  const span = startSpan(scope as RequestScope & { trace: RequestTrace }, name, "client", {
    "http.request.method": target.method,
    "server.address": url.hostname,
    "url.path": url.pathname,
  });
  const headers: Record<string, string> = { traceparent: scope.trace.traceparent(span.spanId) };
  if (scope.trace.tracestate) headers.tracestate = scope.trace.tracestate;
  try {
    const response = await send(headers);
    span.attributes["http.response.status_code"] = response.status;
    if (response.status >= 500) span.status = "error";
    return response;
  } catch (error) {
    span.status = "error";
    span.attributes["error.type"] = error instanceof Error ? error.name : typeof error;
    throw error;
  } finally {
    span.endMs = Date.now();
  }
}
