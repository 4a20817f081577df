import { type JSONRPCMessage, RELATED_TASK_META_KEY } from "@modelcontextprotocol/server";

/** JSON-RPC error codes used at the HTTP boundary. */
export const PARSE_ERROR = -32700;
export const INVALID_REQUEST = -32600;
export const METHOD_NOT_FOUND = -32601;
export const INVALID_PARAMS = -32602;
export const SERVER_ERROR = -32000;

/** A JSON-RPC error response with an HTTP status; the body never carries a stack or secret. */
export function jsonRpcError(status: number, code: number, message: string, headers?: HeadersInit): Response {
  const response = Response.json({ jsonrpc: "2.0", id: null, error: { code, message } }, { status, headers });
  return response;
}

export type ReadBody = { ok: true; body: unknown } | { ok: false; response: Response };

/**
 * Reads a JSON body once, refusing more than `maxBytes` before buffering it all:
 * 413 for too large, 415 for a non-JSON content type, 400/-32700 for unparseable JSON.
 */
export async function readJsonBody(request: Request, maxBytes: number): Promise<ReadBody> {
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    await discard(request, maxBytes);
    return { ok: false, response: jsonRpcError(415, INVALID_REQUEST, "Unsupported Media Type: Content-Type must be application/json") };
  }
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > maxBytes) return { ok: false, response: tooLarge(maxBytes) };
  // A declared length bounds the body (HTTP framing ends it there): read it in one go. Without one
  // (chunked), count the bytes as they come and stop at the limit.
  const text = Number.isInteger(declared) && declared >= 0 ? await request.text() : await readTextBounded(request, maxBytes);
  // (A body longer than its declared length, possible only for a Request built in-process, is
  // still refused: more characters than the limit means more bytes too.)
  if (text === undefined || text.length > maxBytes) return { ok: false, response: tooLarge(maxBytes) };
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, response: jsonRpcError(400, PARSE_ERROR, "Parse error: the request body is not valid JSON") };
  }
}

/**
 * Reads and drops a body that will not be used, up to `maxBytes` (beyond that it is cancelled).
 * A Durable Object that answers a forwarded request without consuming its body makes the
 * forwarding Worker throw "Can't read from request stream after response has been sent".
 */
export async function discard(request: Request, maxBytes: number): Promise<void> {
  if (!request.body) return;
  const reader = request.body.getReader();
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel();
        return;
      }
    }
  } catch {
    // The client went away: nothing left to release.
  }
}

function tooLarge(maxBytes: number): Response {
  return jsonRpcError(413, INVALID_REQUEST, `Payload Too Large: the body exceeds ${maxBytes} bytes`, { Connection: "close" });
}

async function readTextBounded(request: Request, maxBytes: number): Promise<string | undefined> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      return undefined;
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return new TextDecoder().decode(chunks[0]);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(all);
}

/**
 * True for one JSON-RPC 2.0 request, notification or response object (not a batch), by the one
 * rule set of jsonRpcKind. An id is a string or a safe integer (MCP forbids null): the SDK
 * silently drops other ids, so the client would wait forever for an answer.
 */
export function isJsonRpcMessage(value: unknown): value is JSONRPCMessage {
  return jsonRpcKind(value) !== undefined;
}

export type JsonRpcKind = "request" | "notification" | "response";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const isRequestId = (id: unknown) => typeof id === "string" || Number.isSafeInteger(id);
const REQUEST_KEYS = new Set(["jsonrpc", "id", "method", "params"]);
const NOTIFICATION_KEYS = new Set(["jsonrpc", "method", "params"]);
const RESULT_KEYS = new Set(["jsonrpc", "id", "result"]);
const ERROR_KEYS = new Set(["jsonrpc", "id", "error"]);

function onlyKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>): boolean {
  for (const key in value) if (!allowed.has(key)) return false;
  return true;
}

/** Request and notification params: an object whose `_meta`, when present, is one too, with a valid progress token and related task. */
function validParams(params: unknown): boolean {
  if (params === undefined) return true;
  if (!isObject(params)) return false;
  const meta = params._meta;
  if (meta === undefined) return true;
  if (!isObject(meta)) return false;
  if (meta.progressToken !== undefined && !isRequestId(meta.progressToken)) return false;
  const task = meta[RELATED_TASK_META_KEY];
  return task === undefined || (isObject(task) && typeof task.taskId === "string");
}

/**
 * What kind of JSON-RPC message `value` is, by the rules of the SDK's JSONRPCMessageSchema (strict
 * objects: no keys beyond the message's own; ids are strings or safe integers), without building a
 * zod parse per message; undefined when it is not one. legacy-exchange.test.ts holds the two to
 * the same answers.
 */
export function jsonRpcKind(value: unknown): JsonRpcKind | undefined {
  if (!isObject(value) || value.jsonrpc !== "2.0") return undefined;
  if ("method" in value) {
    if (typeof value.method !== "string" || !validParams(value.params)) return undefined;
    if ("id" in value) return isRequestId(value.id) && onlyKeys(value, REQUEST_KEYS) ? "request" : undefined;
    return onlyKeys(value, NOTIFICATION_KEYS) ? "notification" : undefined;
  }
  if ("result" in value) {
    const { result } = value;
    const valid = isRequestId(value.id) && isObject(result) && (result._meta === undefined || isObject(result._meta));
    return valid && onlyKeys(value, RESULT_KEYS) ? "response" : undefined;
  }
  if ("error" in value) {
    const { error } = value;
    const valid =
      (value.id === undefined || isRequestId(value.id)) &&
      isObject(error) &&
      Number.isSafeInteger(error.code) &&
      typeof error.message === "string";
    return valid && onlyKeys(value, ERROR_KEYS) ? "response" : undefined;
  }
  return undefined;
}
