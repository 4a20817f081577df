import {
  type AuthInfo,
  bearerAuthChallengeResponse,
  isInitializeRequest,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
  OAuthError,
  OAuthErrorCode,
  type RequestId,
  type ScopeChallengeHandler,
  SUPPORTED_PROTOCOL_VERSIONS,
  type Transport,
  type TransportSendOptions,
} from "@modelcontextprotocol/server";
import { jsonRpcError, jsonRpcKind } from "./jsonrpc.js";
import { SseStream } from "./sse-stream.js";

const CLOSED_EARLY = "The exchange closed before the request was answered";
const NOT_ACCEPTABLE = "Not Acceptable: Client must accept both application/json and text/event-stream";

/**
 * One 2025-era JSON-RPC message (not a batch) over one stateless POST: a Transport whose whole life
 * is that exchange. It makes the checks the SDK's WebStandardStreamableHTTPServerTransport makes of
 * such a POST without a session, with the same statuses and messages (Accept 406; a message that
 * is not JSON-RPC 400/-32700; an unsupported MCP-Protocol-Version 400; the server's scope
 * challenge 403), and answers:
 * - a notification or a posted response: 202;
 * - a request: its result as plain JSON, unless a message for the request (progress, a log
 *   message) comes first; from that message on the answer is an SSE stream carrying it, what
 *   follows, and the result.
 * The caller has read the body (Content-Type, size and JSON checked) and connects a server first.
 */
export class LegacyExchange implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;

  #versions: readonly string[] = SUPPORTED_PROTOCOL_VERSIONS;
  #scopeChallenge?: ScopeChallengeHandler;
  #started = false;
  #used = false;
  #closed = false;
  #requestId?: RequestId;
  #answered = false;
  #settle?: (response: Response) => void;
  #fail?: (error: Error) => void;
  #stream?: SseStream;

  async start(): Promise<void> {
    if (this.#started) throw new Error("LegacyExchange already started");
    this.#started = true;
  }

  /** Called by Server.connect with the versions it speaks. */
  setSupportedProtocolVersions(versions: string[]): void {
    this.#versions = versions;
  }

  /** Called by McpServer.connect: the per-tool (resource, prompt) scope requirements. */
  setScopeChallengeResolver(resolver: ScopeChallengeHandler): void {
    this.#scopeChallenge = resolver;
  }

  /** Serves the exchange: checks the request, hands the message to the server, resolves with the answer. */
  async serve(request: Request, body: unknown, authInfo?: AuthInfo): Promise<Response> {
    if (this.#used) throw new Error("LegacyExchange serves exactly one exchange; build one per request");
    if (!this.onmessage) throw new Error("LegacyExchange is not connected to a server");
    this.#used = true;
    const accept = request.headers.get("accept");
    if (!accept?.includes("application/json") || !accept.includes("text/event-stream")) return this.#refuse(406, -32000, NOT_ACCEPTABLE);
    const kind = jsonRpcKind(body);
    if (!kind) return this.#refuse(400, -32700, "Parse error: Invalid JSON-RPC message");
    const message = body as JSONRPCMessage;
    if (!(kind === "request" && (message as JSONRPCRequest).method === "initialize" && isInitializeRequest(message))) {
      const version = request.headers.get("mcp-protocol-version");
      if (version !== null && !this.#versions.includes(version)) {
        const supported = this.#versions.join(", ");
        return this.#refuse(400, -32000, `Bad Request: Unsupported protocol version: ${version} (supported versions: ${supported})`);
      }
    }
    const extra: MessageExtraInfo = { request, ...(authInfo && { authInfo }) };
    if (kind !== "request") {
      this.onmessage(message, extra);
      return new Response(null, { status: 202 });
    }
    const challenged = await this.#challenge(message as JSONRPCRequest, authInfo);
    if (challenged) return challenged;
    if (this.#closed) throw new Error(CLOSED_EARLY);
    this.#requestId = (message as JSONRPCRequest).id;
    const answer = new Promise<Response>((resolve, reject) => {
      this.#settle = resolve;
      this.#fail = reject;
    });
    this.onmessage(message, extra);
    return answer;
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.#closed || this.#answered) return;
    const isAnswer = "id" in message && ("result" in message || "error" in message);
    const related = isAnswer ? (message as { id?: RequestId }).id : options?.relatedRequestId;
    // Nothing else is open: a stateless exchange has no standalone stream for unrelated messages.
    if (related === undefined) return;
    if (related !== this.#requestId) throw new Error(`No connection established for request ID: ${String(related)}`);
    if (!this.#stream) {
      if (isAnswer) {
        this.#answered = true;
        this.#settle?.(Response.json(message));
        return;
      }
      this.#stream = new SseStream();
      this.#settle?.(this.#stream.response());
    }
    this.#stream.send(message);
    if (isAnswer) {
      this.#answered = true;
      this.#stream.close();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stream?.close();
    // Rejects only an answer not yet given (a settled promise ignores it).
    this.#fail?.(new Error(CLOSED_EARLY));
    this.onclose?.();
  }

  async #challenge(message: JSONRPCRequest, authInfo: AuthInfo | undefined): Promise<Response | undefined> {
    if (!this.#scopeChallenge) return undefined;
    try {
      const challenge = await this.#scopeChallenge({ request: message, ...(authInfo && { authInfo }) });
      if (!challenge) return undefined;
      const error = new OAuthError(OAuthErrorCode.InsufficientScope, challenge.errorDescription ?? "Insufficient scope");
      return bearerAuthChallengeResponse(error, {
        requiredScopes: [...challenge.scopes],
        resourceMetadataUrl: authInfo?.resourceMetadataUrl,
      });
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      return jsonRpcError(500, -32603, "Internal server error");
    }
  }

  #refuse(status: number, code: number, message: string): Response {
    this.onerror?.(new Error(message));
    return jsonRpcError(status, code, message);
  }
}
