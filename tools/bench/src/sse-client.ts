/** A minimal legacy-SSE client (protocol 2024-11-05) for load: opens GET /sse, learns the endpoint, counts replies. */

export interface SseSession {
  /** Path and query to POST messages to, from the `endpoint` event. */
  endpoint: string;
  /** `message` events received so far. */
  messages(): number;
  /** Resolves with the data of the first message whose JSON-RPC id is `id`. */
  reply(id: string | number, timeoutMs?: number): Promise<unknown>;
  /** Closes the stream (the client disconnects). */
  close(): void;
}

export async function openSse(origin: string, headers: Record<string, string>, timeoutMs = 10_000): Promise<SseSession> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const response = await fetch(`${origin}/sse`, { headers: { Accept: "text/event-stream", ...headers }, signal: controller.signal });
  if (response.status !== 200 || !response.body) {
    clearTimeout(timer);
    controller.abort();
    throw new Error(`GET /sse answered ${response.status}: ${(await response.text().catch(() => "")).slice(0, 200)}`);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let count = 0;
  const waiting = new Map<string, (data: unknown) => void>();
  let resolveEndpoint: (endpoint: string) => void = () => {};
  const endpoint = new Promise<string>((resolve) => (resolveEndpoint = resolve));

  const handle = (frame: string) => {
    let event = "message";
    const data: string[] = [];
    for (const line of frame.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
    }
    if (event === "endpoint") resolveEndpoint(data.join("\n"));
    else if (event === "message") {
      count += 1;
      if (waiting.size > 0) {
        const message = JSON.parse(data.join("\n")) as { id?: string | number };
        const key = String(message.id);
        waiting.get(key)?.(message);
        waiting.delete(key);
      }
    }
  };

  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          handle(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
        }
      }
    } catch {
      // aborted: the session was closed
    }
  })();

  const path = await endpoint;
  clearTimeout(timer);
  return {
    endpoint: path,
    messages: () => count,
    reply(id, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error(`no reply to ${id} on the SSE stream within ${ms} ms`)), ms);
        waiting.set(String(id), (data) => {
          clearTimeout(timeout);
          resolve(data);
        });
      });
    },
    close: () => controller.abort(),
  };
}

type Message = { jsonrpc: "2.0"; method: string; id?: string | number; params?: unknown };

/** Posts one JSON-RPC message to a session; for a request, waits for its reply on the stream. */
export async function sseRequest(origin: string, session: SseSession, headers: Record<string, string>, message: Message) {
  const reply = message.id === undefined ? Promise.resolve(undefined) : session.reply(message.id);
  // Handled below; without this a failed POST would leave the wait for the reply unhandled.
  reply.catch(() => {});
  const response = await fetch(`${origin}${session.endpoint}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 202) throw new Error(`POST ${session.endpoint} answered ${response.status}: ${await response.text()}`);
  await response.body?.cancel();
  return reply;
}

/** Opens a legacy SSE session and initializes it as a client does. */
export async function openInitializedSse(origin: string, headers: Record<string, string>, protocolVersion: string): Promise<SseSession> {
  const session = await openSse(origin, headers);
  try {
    await sseRequest(origin, session, headers, {
      jsonrpc: "2.0",
      id: "init",
      method: "initialize",
      params: { protocolVersion, capabilities: {}, clientInfo: { name: "bench", version: "1.0.0" } },
    });
    await sseRequest(origin, session, headers, { jsonrpc: "2.0", method: "notifications/initialized" });
    return session;
  } catch (error) {
    session.close();
    throw error;
  }
}
