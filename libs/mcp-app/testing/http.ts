/** Raw HTTP helpers for what real clients never send: malformed bodies, foreign origins, stale sessions. */

export type HeaderMap = Record<string, string>;

/** A 2025-era `initialize` request, the first thing a Streamable HTTP or SSE client sends. */
export const initializeRequest = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "e2e-raw", version: "1.0.0" } },
} as const;

/** POSTs to a Streamable HTTP endpoint the way a client does; a string body is sent as is (for malformed JSON). */
export function postJsonRpc(url: string | URL, body: unknown, headers: HeaderMap = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
}

export interface JsonRpcErrorBody {
  jsonrpc: "2.0";
  id: string | number | null;
  error: { code: number; message: string; data?: unknown };
}

/** Reads a JSON-RPC error response body; throws (failing the test) if the body is anything else. */
export async function jsonRpcErrorOf(response: Response): Promise<JsonRpcErrorBody> {
  const text = await response.text();
  const body = JSON.parse(text) as Partial<JsonRpcErrorBody>;
  if (body.jsonrpc !== "2.0" || typeof body.error?.code !== "number" || typeof body.error.message !== "string") {
    throw new Error(`expected a JSON-RPC error body, got ${response.status}: ${text.slice(0, 300)}`);
  }
  return body as JsonRpcErrorBody;
}

/** Opens GET /sse and cancels it at once: enough to see the status and headers the stream starts with. */
export async function probeSse(url: string | URL, headers: HeaderMap = {}): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(url, { headers: { Accept: "text/event-stream", ...headers }, signal: controller.signal });
    // A 200 here is a live event stream; read nothing more from it.
    if (response.ok) await response.body?.cancel();
    return response;
  } finally {
    clearTimeout(timer);
  }
}

/** The value of one `key="value"` parameter of a WWW-Authenticate challenge. */
export function challengeParam(header: string | null, key: string): string | undefined {
  if (!header) return undefined;
  return new RegExp(`[\\s,]${key}="([^"]*)"`).exec(` ${header}`)?.[1];
}
