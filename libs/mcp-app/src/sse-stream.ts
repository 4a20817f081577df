/**
 * The one writer of Server-Sent Events in this lib: every SSE response (a /mcp answer that
 * streams, a 2025-era exchange upgraded by a notification, a legacy /sse session) is framed,
 * headed and kept alive here.
 */

/** What every SSE response is served with: no caching or proxy buffering of the stream. */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "Content-Type": "text/event-stream",
  "Cache-Control": "no-cache, no-transform",
  Connection: "keep-alive",
  "X-Accel-Buffering": "no",
});

/**
 * Comment frames between events. workerd tells a Worker that its client left only when a write
 * to the response fails, so the interval is how long a departure can go unnoticed:
 * - a /mcp call still running is real work to stop, so it is written to every second;
 * - an idle legacy /sse session holds no work, only a Durable Object, so it is written to at the
 *   interval proxies tolerate between bytes (well under the 100 s most of them time out at).
 */
export const KEEP_ALIVE_MS = { runningCall: 1000, idleSession: 15_000 } as const;

const encoder = new TextEncoder();
const COMMENT_FRAME = encoder.encode(": keep-alive\n\n");

/** One SSE event; `data` must be a single line (JSON.stringify output is). */
export function sseEvent(event: string, data: string): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${data}\n\n`);
}

/** A JSON-RPC message as the `message` event both MCP SSE transports use. */
export const messageEvent = (message: unknown): Uint8Array => sseEvent("message", JSON.stringify(message));

/** Whether a chunk of an SSE stream ends an event (a blank line): comment frames go only after one. */
function endsEvent(chunk: Uint8Array): boolean {
  const length = chunk.length;
  return length >= 2 && chunk[length - 1] === 0x0a && chunk[length - 2] === 0x0a;
}

export function isEventStream(response: Response): boolean {
  return response.headers.get("content-type")?.split(";")[0]?.trim() === "text/event-stream";
}

/**
 * An SSE response body being written. Writes after the stream closed, or after the client
 * cancelled it, are dropped; `onCancel` runs once when the client goes away.
 */
export class SseStream {
  readonly readable: ReadableStream<Uint8Array>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  #betweenEvents = true;
  #keepAlive: ReturnType<typeof setInterval> | undefined;

  constructor(onCancel?: (reason: unknown) => void) {
    this.readable = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: (reason) => {
        this.#finish();
        onCancel?.(reason);
      },
    });
  }

  get open(): boolean {
    return this.#open;
  }

  /** The stream as an HTTP 200 response. */
  response(): Response {
    return new Response(this.readable, { status: 200, headers: SSE_HEADERS });
  }

  /** Writes SSE bytes: whole events, or an upstream stream's chunks passed through as they come. */
  write(chunk: Uint8Array): void {
    if (!this.#open) return;
    try {
      this.#controller.enqueue(chunk);
      this.#betweenEvents = endsEvent(chunk);
    } catch {
      // The runtime closed the stream under us: the client is gone.
      this.#finish();
    }
  }

  send(message: unknown): void {
    this.write(messageEvent(message));
  }

  /** A comment frame every `ms` between events, until the stream ends. */
  keepAlive(ms: number): void {
    clearInterval(this.#keepAlive);
    this.#keepAlive = setInterval(() => {
      if (this.#betweenEvents) this.write(COMMENT_FRAME);
    }, ms);
  }

  close(): void {
    if (!this.#open) return;
    this.#finish();
    try {
      this.#controller.close();
    } catch {
      // already errored or cancelled: nothing more can be sent
    }
  }

  #finish(): void {
    this.#open = false;
    clearInterval(this.#keepAlive);
  }
}
