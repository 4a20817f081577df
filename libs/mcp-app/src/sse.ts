import { DurableObject } from "cloudflare:workers";
import type { JSONRPCMessage, McpServer, Transport } from "@modelcontextprotocol/server";
import {
  annotate,
  type Caller,
  CallerSchema,
  currentTraceparent,
  describeError,
  exportTrace,
  isAnonymous,
  log,
  type OtlpConfig,
  RequestTrace,
  withRequestFields,
} from "@repo/mcp-core";
import * as z from "zod";
import type { ServerDefinition } from "./definition.js";
import { isJsonRpcMessage, jsonRpcError, readJsonBody } from "./jsonrpc.js";
import { classifyBody, joinMessageTrace, TOO_MANY_MESSAGES } from "./message.js";
import { urlOf } from "./origin.js";
import { ownerOf } from "./owner.js";
import { SSE_MESSAGE_PATH, SSE_PATH } from "./paths.js";
import { ipKey, type RateLimitEnv } from "./ratelimit.js";
import { insufficientScope, scopeRefusal } from "./scope-gate.js";
import { buildServer } from "./server.js";
import { KEEP_ALIVE_MS, SseStream, sseEvent } from "./sse-stream.js";
import { MAX_BODY_BYTES } from "./streamable.js";

/** The Durable Object namespace binding every app declares for legacy SSE sessions. */
export interface SseEnv {
  MCP_SSE_SESSION: DurableObjectNamespace;
}

/**
 * What the Worker may ask of a session's Durable Object, over RPC; never through headers. The
 * caller crosses once, at `open`: it includes the credential-derived props (a bearer token, the
 * GitHub token in grant props) that the session's tools need to act for the user, so the Durable
 * Object sees exactly what those tools see, nothing more. Each message after that carries only
 * the caller's owner key (client and user ids), which is all a session needs to refuse a stranger.
 * Every argument is checked against a schema: an RPC argument is input like any other.
 */
export interface McpSseSessionRpc {
  /** Opens the session's stream; the first event names the endpoint to POST messages to. `register` names where it holds its place. */
  open(caller: unknown, register?: unknown): Promise<Response>;
  /**
   * Hands classified, scope-checked messages to the session, unless `owner` has no such session or
   * it is busy; the handlers run in the trace `traceparent` names (the POST's), a new one if it is invalid.
   */
  deliver(owner: unknown, messages: unknown[], traceparent?: unknown): Promise<Delivery>;
  /**
   * The same class plays a second role, one object per caller key (named `sse-sessions|<key>`):
   * the register of that caller's open sessions. `claim` takes a place for a new session (false
   * past MAX_SSE_SESSIONS_PER_CALLER), `renew` keeps a live session's place, `drop` frees it.
   */
  claim(sessionId: unknown): Promise<boolean>;
  renew(sessionId: unknown): Promise<void>;
  drop(sessionId: unknown): Promise<void>;
}

/**
 * Open SSE sessions one caller may hold at once (OAuth client and user, bearer credential, or a
 * public app's client network): each holds a Durable Object and a stream. A session's place is
 * freed when it closes (under `wrangler dev` about 30 s after its client disconnects: the close is
 * noticed at a keep-alive write), or, should its object die unnoticed, CLAIM_TTL_MS after its last renewal.
 */
export const MAX_SSE_SESSIONS_PER_CALLER = 32;
const CLAIM_TTL_MS = 3 * 60_000;
const RENEW_EVERY_MS = 60_000;
const SESSION_ID = z.string().min(1).max(128);
const TOO_MANY_SESSIONS = `Too Many Requests: this caller already has ${MAX_SSE_SESSIONS_PER_CALLER} open SSE sessions; close one before opening another.`;

export type Delivery = "accepted" | "not_found" | "busy";

/**
 * Requests one SSE session may have running at once. Results arrive on one stream, so a client
 * gains nothing from more; past it, a POST is refused whole (429) and nothing of it runs.
 */
export const MAX_CALLS_IN_FLIGHT = 32;
const BUSY = `Too Many Requests: an SSE session runs at most ${MAX_CALLS_IN_FLIGHT} calls at once; wait for their results before sending more.`;

const NOT_FOUND = "Session not found: open a new stream with GET /sse";

const OwnerSchema = z.string().max(1024);

/** The session behind an id. Apps' generated Env types the binding loosely; the class it binds is createSseSessionClass's. */
const sessionStub = (env: SseEnv, id: DurableObjectId) => env.MCP_SSE_SESSION.get(id) as unknown as McpSseSessionRpc;
const registerStub = (env: SseEnv, name: string) => sessionStub(env, env.MCP_SSE_SESSION.idFromName(name));

/**
 * Worker side of the legacy HTTP+SSE transport (protocol 2024-11-05): GET /sse opens a session
 * in a fresh Durable Object, so the stream and the messages posted for it meet in one place
 * however many Worker instances serve the requests. A POSTed body is read, classified and held to
 * the caller's scopes here, by the same stages as /mcp, before anything reaches the session.
 */
export function createSseRoute(definition: ServerDefinition) {
  return async function routeSse(request: Request, env: SseEnv & RateLimitEnv, caller: Caller): Promise<Response> {
    const url = urlOf(request);
    if (url.pathname === SSE_PATH) {
      if (request.method !== "GET") {
        return jsonRpcError(
          405,
          -32000,
          "Method Not Allowed: open the SSE stream with GET /sse, then POST messages to the endpoint it announces.",
          { Allow: "GET, OPTIONS" },
        );
      }
      const accept = request.headers.get("accept");
      if (!(accept ?? "text/event-stream").includes("text/event-stream") && !accept?.includes("*/*")) {
        return jsonRpcError(406, -32000, "Not Acceptable: GET /sse answers with text/event-stream");
      }
      const id = env.MCP_SSE_SESSION.newUniqueId();
      // RATE_LIMITING=off (load tests only) lifts this bound with the others.
      if (env.RATE_LIMITING === "off") return sessionStub(env, id).open(caller);
      const register = `sse-sessions|${isAnonymous(caller) ? ipKey(request) : ownerOf(caller)}`;
      if (!(await registerStub(env, register).claim(id.toString()))) {
        annotate({ outcome: "rate_limited" });
        return jsonRpcError(429, -32000, TOO_MANY_SESSIONS, { "Retry-After": "30" });
      }
      return sessionStub(env, id).open(caller, register);
    }
    if (url.pathname !== SSE_MESSAGE_PATH) return jsonRpcError(404, -32000, "Not Found");
    if (request.method !== "POST") {
      return jsonRpcError(405, -32000, "Method Not Allowed: POST JSON-RPC messages here", { Allow: "POST, OPTIONS" });
    }
    let id: DurableObjectId;
    try {
      id = env.MCP_SSE_SESSION.idFromString(url.searchParams.get("sessionId") ?? "");
    } catch {
      return jsonRpcError(404, -32001, NOT_FOUND);
    }
    const read = await readJsonBody(request, MAX_BODY_BYTES);
    if (!read.ok) return read.response;
    const classified = classifyBody(read.body, definition);
    if (!classified) return jsonRpcError(400, -32600, TOO_MANY_MESSAGES);
    joinMessageTrace(classified);
    if (classified.messages.length === 0 || classified.messages.some((message) => message.kind === undefined)) {
      // The SDK would drop these without an answer, leaving the client waiting on its stream.
      return jsonRpcError(400, -32600, "Invalid Request: expected a JSON-RPC request or notification");
    }
    const refusal = scopeRefusal(caller, classified.messages);
    if (refusal) return insufficientScope(request, refusal, "json-rpc");
    const delivered = await sessionStub(env, id).deliver(
      ownerOf(caller),
      classified.messages.map((message) => message.value),
      currentTraceparent(),
    );
    if (delivered === "not_found") return jsonRpcError(404, -32001, NOT_FOUND);
    if (delivered === "busy") {
      annotate({ outcome: "rate_limited" });
      return jsonRpcError(429, -32000, BUSY, { "Retry-After": "1" });
    }
    return new Response("Accepted", { status: 202 });
  };
}

/** A Transport that writes server messages as `message` events onto one open SSE stream. */
class SseTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;
  readonly stream = new SseStream(() => void this.close());
  /** Requests dispatched and not yet answered. */
  readonly inFlight = new Set<string | number>();
  #closed = false;

  constructor(readonly sessionId: string) {}

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if ("id" in message && ("result" in message || "error" in message) && message.id !== undefined) this.inFlight.delete(message.id);
    this.stream.send(message);
  }

  /** Dispatches messages to the server, or refuses them all when their requests would pass MAX_CALLS_IN_FLIGHT. */
  receive(messages: readonly JSONRPCMessage[]): boolean {
    const requests = messages.flatMap((message) => ("method" in message && "id" in message ? [message.id] : []));
    if (this.inFlight.size + requests.length > MAX_CALLS_IN_FLIGHT) return false;
    for (const id of requests) this.inFlight.add(id);
    for (const message of messages) {
      // A cancelled request is never answered (the protocol says so): it stops counting here.
      if ("method" in message && message.method === "notifications/cancelled") {
        const cancelled = (message.params as { requestId?: unknown } | undefined)?.requestId;
        if (typeof cancelled === "string" || typeof cancelled === "number") this.inFlight.delete(cancelled);
      }
      this.onmessage?.(message);
    }
    return true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.stream.close();
    this.onclose?.();
  }
}

interface Session {
  server: McpServer;
  transport: SseTransport;
  /** The client and user that opened the stream: only they may post to it. */
  owner: string;
  /** The register this session holds a place in, and the timer that renews it. */
  register?: { name: string; renewal: ReturnType<typeof setInterval> };
}

/**
 * Builds the Durable Object class that holds one legacy SSE session; apps export it by name.
 * `props` is the schema of the auth style's caller props, checked again at this boundary.
 */
export function createSseSessionClass(
  definition: ServerDefinition,
  props: z.ZodType = z.unknown(),
): new (
  ctx: DurableObjectState,
  env: Cloudflare.Env,
) => DurableObject & McpSseSessionRpc {
  const SessionCaller = CallerSchema.extend({ props });

  return class McpSseSession extends DurableObject implements McpSseSessionRpc {
    private session: Session | undefined;

    async open(input: unknown, registerName?: unknown): Promise<Response> {
      const caller: Caller = SessionCaller.parse(input);
      const name = z.string().max(2048).optional().parse(registerName);
      if (this.session) return jsonRpcError(409, -32000, "Conflict: this session already has a stream");
      const sessionId = this.ctx.id.toString();
      const transport = new SseTransport(sessionId);
      const server = buildServer(definition, caller, this.env);
      const session: Session = { server, transport, owner: ownerOf(caller) };
      if (name) {
        const renew = () =>
          void this.register(name)
            .renew(sessionId)
            .catch(() => {});
        session.register = { name, renewal: setInterval(renew, RENEW_EVERY_MS) };
      }
      transport.onclose = () => this.release(session);
      this.session = session;
      await server.connect(transport);
      transport.stream.write(sseEvent("endpoint", `${SSE_MESSAGE_PATH}?sessionId=${sessionId}`));
      transport.stream.keepAlive(KEEP_ALIVE_MS.idleSession);
      log({ event: "sse_open", session: sessionId.slice(0, 8), clientId: caller.clientId, userId: caller.userId });
      return transport.stream.response();
    }

    async deliver(input: unknown, messages: unknown[], traceparent?: unknown): Promise<Delivery> {
      const owner = OwnerSchema.parse(input);
      // Checked again here by the one JSON-RPC rule set: the Worker classified them, but this is a boundary too.
      if (!Array.isArray(messages) || !messages.every(isJsonRpcMessage)) throw new TypeError("deliver() takes JSON-RPC messages");
      const session = this.session;
      // Another user's session is reported exactly like a missing one.
      if (!session || session.owner !== owner) return "not_found";
      // The handlers outlive this call (results go to the stream): they run, log and record spans in
      // the POST's trace, exported once they have ended.
      const trace = new RequestTrace("McpSseSession deliver", traceparent);
      const accepted = withRequestFields({}, () => session.transport.receive(messages), trace);
      exportTrace(trace, accepted ? 202 : 429, this.env as OtlpConfig, definition.name, this.ctx);
      return accepted ? "accepted" : "busy";
    }

    private release(session: Session): void {
      if (this.session !== session) return;
      this.session = undefined;
      if (session.register) {
        clearInterval(session.register.renewal);
        void this.register(session.register.name)
          .drop(session.transport.sessionId)
          .catch(() => {});
      }
      void session.server.close().catch((error) => log({ event: "sse_close_error", error: describeError(error) }));
      log({ event: "sse_close", session: session.transport.sessionId.slice(0, 8) });
    }

    private register(name: string): McpSseSessionRpc {
      return registerStub(this.env as SseEnv, name);
    }

    /** The register role: places held, by session id, with the time each was last renewed. */
    private async claims(): Promise<Map<string, number>> {
      const stored = z.record(z.string(), z.number()).safeParse(await this.ctx.storage.get("claims"));
      const now = Date.now();
      return new Map(Object.entries(stored.success ? stored.data : {}).filter(([, at]) => now - at < CLAIM_TTL_MS));
    }

    async claim(input: unknown): Promise<boolean> {
      const sessionId = SESSION_ID.parse(input);
      const claims = await this.claims();
      const granted = claims.size < MAX_SSE_SESSIONS_PER_CALLER;
      if (granted) claims.set(sessionId, Date.now());
      await this.ctx.storage.put("claims", Object.fromEntries(claims));
      return granted;
    }

    async renew(input: unknown): Promise<void> {
      const sessionId = SESSION_ID.parse(input);
      const claims = await this.claims();
      if (!claims.has(sessionId)) return;
      claims.set(sessionId, Date.now());
      await this.ctx.storage.put("claims", Object.fromEntries(claims));
    }

    async drop(input: unknown): Promise<void> {
      const claims = await this.claims();
      claims.delete(SESSION_ID.parse(input));
      await this.ctx.storage.put("claims", Object.fromEntries(claims));
    }
  };
}
