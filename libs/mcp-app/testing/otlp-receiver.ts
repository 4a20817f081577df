import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for an OpenTelemetry collector on a free loopback port: it accepts OTLP/HTTP JSON
 * posts at /v1/traces, answers 200 as a collector does, and keeps every body it received, so a
 * test can assert on what the app's real exporter sent (ids, parents, attributes, and no secret).
 */
export interface OtlpReceiver {
  /** e.g. http://127.0.0.1:41234/v1/traces: the app's OTEL_EXPORTER_OTLP_TRACES_ENDPOINT. */
  url: string;
  /** Every body received, as posted. */
  bodies(): string[];
  /** Every request's headers, in order. */
  headers(): IncomingHttpHeaders[];
  /** The spans received so far, flattened, attributes as plain values. */
  spans(): ReceivedSpan[];
  /** Waits (at most `timeoutMs`, polling) until `found` holds for the spans received; returns them. */
  waitFor(found: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  kind: number;
  start: bigint;
  end: bigint;
  status: number;
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  status?: { code?: number };
  attributes?: { key: string; value: OtlpValue }[];
}
interface OtlpBody {
  resourceSpans: { resource: { attributes: { key: string; value: OtlpValue }[] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
}

const plain = (value: OtlpValue) =>
  value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? value.boolValue ?? ""));
const attributesOf = (list: { key: string; value: OtlpValue }[] = []) =>
  Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));

const MAX_BODY = 1024 * 1024;

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const bodies: string[] = [];
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    request.on("end", () => {
      if (request.method !== "POST" || request.url !== "/v1/traces" || size > MAX_BODY) {
        response.writeHead(request.method === "POST" ? 404 : 405).end();
        return;
      }
      const body = Buffer.concat(chunks).toString("utf8");
      try {
        JSON.parse(body);
      } catch {
        response.writeHead(400, { "Content-Type": "application/json" }).end('{"message":"not JSON"}');
        return;
      }
      bodies.push(body);
      headers.push(request.headers);
      response.writeHead(200, { "Content-Type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const spans = (): ReceivedSpan[] =>
    bodies.flatMap((body) =>
      (JSON.parse(body) as OtlpBody).resourceSpans.flatMap((resource) => {
        const service = String(attributesOf(resource.resource.attributes)["service.name"] ?? "");
        return resource.scopeSpans.flatMap((scope) =>
          scope.spans.map((span) => ({
            service,
            traceId: span.traceId,
            spanId: span.spanId,
            parentSpanId: span.parentSpanId,
            name: span.name,
            kind: span.kind,
            start: BigInt(span.startTimeUnixNano),
            end: BigInt(span.endTimeUnixNano),
            status: span.status?.code ?? 0,
            attributes: attributesOf(span.attributes),
          })),
        );
      }),
    );

  return {
    url: `http://127.0.0.1:${port}/v1/traces`,
    bodies: () => [...bodies],
    headers: () => [...headers],
    spans,
    async waitFor(found, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const received = spans();
        if (found(received)) return received;
        if (Date.now() > deadline)
          throw new Error(`the OTLP receiver did not get the expected spans within ${timeoutMs} ms (got ${received.length})`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
