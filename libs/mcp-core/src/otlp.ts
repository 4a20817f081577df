// Spans to an OpenTelemetry collector as OTLP/HTTP JSON (the `ExportTraceServiceRequest` of
// opentelemetry-proto, JSON-encoded: ids as hex, times as decimal strings of nanoseconds).
import { describeError, log, redact } from "./log.js";
import type { RequestTrace, SpanAttributes, SpanKind, SpanRecord, SpanStatus } from "./trace.js";

/** Where spans go; an app reads it from its vars and secrets (see docs/observability.md). */
export interface OtlpConfig {
  /** The collector's traces URL, e.g. https://otel.example.com/v1/traces. Empty or unset: tracing export is off. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?: string;
  /** Headers the collector wants, `key=value` pairs separated by commas (a secret: `wrangler secret put`). */
  OTEL_EXPORTER_OTLP_HEADERS?: string;
  /** service.name of the spans; default: the app's name. */
  OTEL_SERVICE_NAME?: string;
}

/** Bounds one export so a slow collector cannot hold the isolate after the response. */
const EXPORT_TIMEOUT_MS = 5000;
/** How long an export waits for spans still running after the response (waitUntil allows 30 s in all). */
const SETTLE_MS = 20_000;
/** A batch is posted once it holds this many spans... */
const MAX_BATCH_SPANS = 256;
/** ...or this long after its first request was queued. */
const FLUSH_AFTER_MS = 1000;

const KIND: Record<SpanKind, number> = { internal: 1, server: 2, client: 3 };
const STATUS: Record<SpanStatus, number> = { unset: 0, ok: 1, error: 2 };

type AnyValue = { stringValue: string } | { boolValue: boolean } | { intValue: string } | { doubleValue: number };

function anyValue(value: string | number | boolean): AnyValue {
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  return Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value };
}

/** Attributes as OTLP key-values, after the log's redaction: a secret-looking key never carries its value out. */
function keyValues(attributes: SpanAttributes): { key: string; value: AnyValue }[] {
  return Object.entries(redact(attributes)).map(([key, value]) => ({ key, value: anyValue(value as string | number | boolean) }));
}

/** Unix nanoseconds as OTLP/JSON writes them (a decimal string); Date.now() is whole milliseconds. */
const nanos = (ms: number) => `${Math.trunc(ms)}000000`;

/** The spans of one request, ready to send. */
export interface TraceSpans {
  trace: RequestTrace;
  spans: readonly SpanRecord[];
}

/** The OTLP/JSON body for the spans of one or more requests. */
export function encodeSpans(traces: readonly TraceSpans[], service: string): unknown {
  return {
    resourceSpans: [
      {
        resource: { attributes: keyValues({ "service.name": service, "telemetry.sdk.language": "webjs" }) },
        scopeSpans: [
          {
            scope: { name: "@repo/mcp-core" },
            spans: traces.flatMap(({ trace, spans }) =>
              spans.map((span) => ({
                traceId: trace.traceId,
                spanId: span.spanId,
                ...(span.parentSpanId && { parentSpanId: span.parentSpanId }),
                ...(trace.tracestate && span === trace.root && { traceState: trace.tracestate }),
                name: span.name,
                kind: KIND[span.kind],
                startTimeUnixNano: nanos(span.startMs),
                endTimeUnixNano: nanos(Math.max(span.endMs, span.startMs)),
                attributes: keyValues(span.attributes),
                status: { code: STATUS[span.status] },
              })),
            ),
          },
        ],
      },
    ],
  };
}

/** `key=value,key2=value2` (OTEL_EXPORTER_OTLP_HEADERS) as headers; malformed pairs are skipped. */
function parseHeaders(value: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (value ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    const name = pair.slice(0, at).trim();
    const content = decodeURIComponent(pair.slice(at + 1).trim());
    if (/^[!#$%&'*+.^`|~\w-]+$/.test(name)) headers[name] = content;
  }
  return headers;
}

/** Spans waiting in this isolate for the next post, by collector and service. */
interface Batch {
  traces: TraceSpans[];
  spans: number;
}
const batches = new Map<string, Batch>();

/**
 * Ends the request's trace and, when an endpoint is configured and the trace is sampled, queues its
 * spans in `ctx.waitUntil`: the response never waits for it. Spans are posted in batches, one post
 * per MAX_BATCH_SPANS spans or FLUSH_AFTER_MS after the first queued (so a busy isolate makes one
 * post for many requests, not one each); a failed post is one log line (with the endpoint's host,
 * never its headers), not a failed request. An isolate evicted within FLUSH_AFTER_MS loses its queue.
 */
export function exportTrace(
  trace: RequestTrace,
  status: number,
  config: OtlpConfig,
  service: string,
  ctx: { waitUntil(promise: Promise<unknown>): void },
): void {
  trace.finish(status);
  const endpoint = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!endpoint || !trace.sampled) return;
  const name = config.OTEL_SERVICE_NAME || service;
  const key = `${endpoint}\n${name}\n${config.OTEL_EXPORTER_OTLP_HEADERS ?? ""}`;
  const queue = async () => {
    const spans = await trace.settled(SETTLE_MS);
    let batch = batches.get(key);
    const first = !batch;
    if (!batch) {
      batch = { traces: [], spans: 0 };
      batches.set(key, batch);
    }
    batch.traces.push({ trace, spans });
    batch.spans += spans.length;
    if (batch.spans < MAX_BATCH_SPANS) {
      if (!first) return;
      await new Promise((resolve) => setTimeout(resolve, FLUSH_AFTER_MS));
    }
    // Whoever takes the batch off the map posts it: the size trigger or the timer, never both.
    if (batches.get(key) !== batch) return;
    batches.delete(key);
    await post(endpoint, config.OTEL_EXPORTER_OTLP_HEADERS, encodeSpans(batch.traces, name));
  };
  try {
    ctx.waitUntil(queue());
  } catch {
    // No ExecutionContext to extend (a test harness): the export still runs, unawaited.
  }
}

async function post(endpoint: string, headers: string | undefined, body: unknown): Promise<void> {
  let host = "invalid URL";
  try {
    const url = new URL(endpoint);
    host = url.host;
    const response = await fetch(url, {
      method: "POST",
      headers: { ...parseHeaders(headers), "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
    });
    await response.body?.cancel().catch(() => {});
    if (!response.ok) log({ event: "trace_export_failed", endpoint: host, status: response.status });
  } catch (error) {
    log({ event: "trace_export_failed", endpoint: host, error: describeError(error) });
  }
}
