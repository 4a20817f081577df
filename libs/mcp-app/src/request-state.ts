// requestState for multi-round (input-required) calls: signed, expiring and bound to the caller.
import {
  createRequestStateCodec,
  ProtocolError,
  ProtocolErrorCode,
  type RequestStateCodec,
  type ServerContext,
  type InputRequiredResult as WireInputRequired,
} from "@modelcontextprotocol/server";
import type { Caller, InputRequiredResult } from "@repo/mcp-core";

interface SealedState {
  /** What minted it ("tool:name" / "prompt:name"): state is never accepted by another handler. */
  t: string;
  s: string;
}

const MIN_KEY_BYTES = 32;
let isolateKey: Uint8Array | undefined;

/**
 * Integrity protection for multi-round `requestState` (it travels through the client): every
 * state a handler returns is signed (HMAC, 10-minute expiry) and bound to the caller and the
 * method, and every state that comes back is verified before the handler runs (-32602 otherwise).
 * The key is the MCP_REQUEST_STATE_KEY secret (at least 32 bytes); without it, a random
 * per-isolate key, which only verifies rounds served by the same isolate.
 */
export class RequestStates {
  private codec: RequestStateCodec<SealedState> | undefined;

  constructor(
    private readonly caller: Caller,
    private readonly env: unknown,
  ) {}

  private get(): RequestStateCodec<SealedState> {
    if (!this.codec) {
      const configured = (this.env as { MCP_REQUEST_STATE_KEY?: unknown } | null)?.MCP_REQUEST_STATE_KEY;
      // Random values can only be drawn while handling a request, so the isolate key is made lazily.
      isolateKey ??= crypto.getRandomValues(new Uint8Array(MIN_KEY_BYTES));
      const key =
        typeof configured === "string" && new TextEncoder().encode(configured).byteLength >= MIN_KEY_BYTES ? configured : isolateKey;
      const identity = `${this.caller.clientId ?? ""}\0${this.caller.userId ?? ""}`;
      this.codec = createRequestStateCodec<SealedState>({ key, bind: (ctx) => `${ctx.mcpReq.method}\0${identity}` });
    }
    return this.codec;
  }

  verify(state: string, ctx: ServerContext): Promise<SealedState> {
    return this.get().verify(state, ctx);
  }

  /** The handler's own state from a verified round, or undefined on a first round. */
  open(ctx: ServerContext, target: string): string | undefined {
    const sealed = ctx.mcpReq.requestState<SealedState>();
    if (sealed === undefined) return undefined;
    if (typeof sealed !== "object" || sealed.t !== target) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, "Invalid or expired requestState");
    }
    return sealed.s;
  }

  /**
   * Signs the state of an input-required result on its way out. The mcp-core types describe the
   * same wire shape as the SDK's, with looser elicitation schemas; the SDK validates it on send.
   */
  async seal(result: InputRequiredResult, target: string, ctx: ServerContext): Promise<WireInputRequired> {
    const sealed =
      result.requestState === undefined
        ? result
        : { ...result, requestState: await this.get().mint({ t: target, s: result.requestState }, ctx) };
    return sealed as WireInputRequired;
  }
}
