import { DurableObject } from "cloudflare:workers";
import type { JSONRPCMessage, McpServer, Transport } from "@modelcontextprotocol/server";
import { type Caller, describeError, log } from "@repo/mcp-core";
import { discard, isJsonRpcMessage, jsonRpcError, readJsonBody } from "./jsonrpc.js";
import { urlOf } from "./origin.js";
import { buildServer, INSUFFICIENT_SCOPE_CODE, missingScopes, type ServerDefinition, scopesForRequest } from "./server.js";
import { MAX_BODY_BYTES } from "./streamable.js";

/** The path clients POST legacy-SSE messages to; the `endpoint` event names it. */
export const SSE_MESSAGE_PATH = "/sse/message";
const KEEP_ALIVE_MS = 15_000;
const CALLER_HEADER = "x-mcp-caller";

/** The Durable Object namespace binding every app declares for legacy SSE sessions. */
export interface SseEnv {
  MCP_SSE_SESSION: DurableObjectNamespace;
}

/**
 * Worker side of the legacy HTTP+SSE transport (protocol 2024-11-05): GET /sse opens a session
 * in a fresh Durable Object, so the stream and the messages posted for it meet in one place
 * however many Worker instances serve the requests.
 */
export async function routeSse(request: Request, env: SseEnv, caller: Caller): Promise<Response> {
  const url = urlOf(request);
  const forward = (id: DurableObjectId) => {
    const headers = new Headers(request.headers);
    headers.set(CALLER_HEADER, JSON.stringify(caller));
    return env.MCP_SSE_SESSION.get(id).fetch(new Request(request, { headers }));
  };
  if (url.pathname === "/sse") {
    if (request.method !== "GET") {
      return jsonRpcError(
        405,
        -32000,
        "Method Not Allowed: open the SSE stream with GET /sse, then POST messages to the endpoint it announces.",
        { Allow: "GET, OPTIONS" },
      );
    }
    if (
      !(request.headers.get("accept") ?? "text/event-stream").includes("text/event-stream") &&
      !request.headers.get("accept")?.includes("*/*")
    ) {
      return jsonRpcError(406, -32000, "Not Acceptable: GET /sse answers with text/event-stream");
    }
    return forward(env.MCP_SSE_SESSION.newUniqueId());
  }
  if (url.pathname === SSE_MESSAGE_PATH) {
    if (request.method !== "POST")
      return jsonRpcError(405, -32000, "Method Not Allowed: POST JSON-RPC messages here", { Allow: "POST, OPTIONS" });
    const sessionId = url.searchParams.get("sessionId") ?? "";
    let id: DurableObjectId;
    try {
      id = env.MCP_SSE_SESSION.idFromString(sessionId);
    } catch {
      return jsonRpcError(404, -32001, "Session not found: open a new stream with GET /sse");
    }
    return forward(id);
  }
  return jsonRpcError(404, -32000, "Not Found");
}

interface Session {
  server: McpServer;
  transport: SseTransport;
  /** The client and user that opened the stream: only they may post to it. */
  owner: string;
}

/** A session belongs to one client of one user: another app of the same user gets 404 too. */
const ownerOf = (caller: Caller) => `${caller.clientId ?? ""}\0${caller.userId ?? ""}`;

/**
 * HTTP 403 for a message whose tool, prompt or resource needs scopes the caller lacks: the same
 * answer /mcp gives (the SDK's scope challenge), before anything is dispatched to the session.
 */
function insufficientScope(request: Request, message: unknown, scopes: readonly string[]): Response {
  const id = (message as { id?: unknown }).id;
  const metadata = new URL("/.well-known/oauth-protected-resource", request.url).href;
  return Response.json(
    {
      jsonrpc: "2.0",
      id: typeof id === "string" || typeof id === "number" ? id : null,
      error: { code: INSUFFICIENT_SCOPE_CODE, message: `Forbidden (insufficient_scope): this needs the scope ${scopes.join(" ")}` },
    },
    {
      status: 403,
      headers: {
        "WWW-Authenticate": `Bearer error="insufficient_scope", scope="${scopes.join(" ")}", resource_metadata="${metadata}"`,
      },
    },
  );
}

/** A Transport that writes server messages as `message` events onto one open SSE stream. */
class SseTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  private closed = false;

  constructor(
    private readonly writer: WritableStreamDefaultWriter<Uint8Array>,
    readonly sessionId: string,
  ) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    await this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  async write(frame: string): Promise<void> {
    if (this.closed) return;
    try {
      await this.writer.write(new TextEncoder().encode(frame));
    } catch {
      // The client went away: release the session.
      await this.close();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close().catch(() => {});
    this.onclose?.();
  }
}

/** Builds the Durable Object class that holds one legacy SSE session; apps export it by name. */
export function createSseSessionClass(definition: ServerDefinition) {
  return class McpSseSession extends DurableObject {
    private session: Session | undefined;
    private keepAlive: ReturnType<typeof setInterval> | undefined;

    override async fetch(request: Request): Promise<Response> {
      const caller = JSON.parse(request.headers.get(CALLER_HEADER) ?? "null") as Caller | null;
      if (!caller) return jsonRpcError(400, -32600, "Bad Request");
      return request.method === "GET" ? this.open(request, caller) : this.receive(request, caller);
    }

    private async open(request: Request, caller: Caller): Promise<Response> {
      if (this.session) return jsonRpcError(409, -32000, "Conflict: this session already has a stream");
      const sessionId = this.ctx.id.toString();
      const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
      const transport = new SseTransport(writable.getWriter(), sessionId);
      const server = buildServer(definition, caller, this.env);
      const session: Session = { server, transport, owner: ownerOf(caller) };
      transport.onclose = () => this.release(session);
      this.session = session;
      await server.connect(transport);
      const endpoint = `${SSE_MESSAGE_PATH}?sessionId=${sessionId}`;
      void transport.write(`event: endpoint\ndata: ${endpoint}\n\n`);
      this.keepAlive = setInterval(() => void transport.write(": keep-alive\n\n"), KEEP_ALIVE_MS);
      request.signal?.addEventListener("abort", () => void transport.close(), { once: true });
      log({ event: "sse_open", session: sessionId.slice(0, 8), clientId: caller.clientId, userId: caller.userId });
      return new Response(readable, {
        headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform", "X-Accel-Buffering": "no" },
      });
    }

    private async receive(request: Request, caller: Caller): Promise<Response> {
      const session = this.session;
      // Another user's session is reported exactly like a missing one.
      if (!session || session.owner !== ownerOf(caller)) {
        await discard(request, MAX_BODY_BYTES);
        return jsonRpcError(404, -32001, "Session not found: open a new stream with GET /sse");
      }
      const read = await readJsonBody(request, MAX_BODY_BYTES);
      if (!read.ok) return read.response;
      const messages = Array.isArray(read.body) ? read.body : [read.body];
      if (messages.length === 0 || !messages.every(isJsonRpcMessage)) {
        return jsonRpcError(400, -32600, "Invalid Request: expected a JSON-RPC request or notification");
      }
      for (const message of messages) {
        const required = scopesForRequest(definition, message);
        if (missingScopes(caller, required).length > 0) {
          return insufficientScope(request, message, required as readonly string[]);
        }
      }
      for (const message of messages) session.transport.onmessage?.(message as JSONRPCMessage);
      return new Response("Accepted", { status: 202 });
    }

    private release(session: Session): void {
      if (this.session !== session) return;
      this.session = undefined;
      clearInterval(this.keepAlive);
      void session.server.close().catch((error) => log({ event: "sse_close_error", error: describeError(error) }));
      log({ event: "sse_close", session: session.transport.sessionId.slice(0, 8) });
    }
  };
}
