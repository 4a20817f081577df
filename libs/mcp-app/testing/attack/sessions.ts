import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { describe, expect, it } from "vitest";
import { connectSdkClient } from "../clients.js";
import { type HeaderMap, initializeRequest } from "../http.js";
import { TestOAuthProvider } from "../oauth.js";
import type { AttackContext } from "./context.js";
import type { AttackServer } from "./options.js";
import { bearer, MAX_SSE_SESSIONS, PROBE, PROBE_RESULT, rpcError, versionHeader } from "./shared.js";

/** Session ids that were never issued, or belong to another caller: refused like missing ones. */
export function sessionCases(ctx: AttackContext): void {
  const { auth, mcpPost } = ctx;

  it("an unknown session id: 404 -32001 on /mcp and on /sse/message", async () => {
    const mcp = await mcpPost(
      { jsonrpc: "2.0", id: 3, method: "tools/list" },
      { ...ctx.credentials, ...versionHeader, "Mcp-Session-Id": "attack-never-issued" },
    );
    expect(mcp.response.status).toBe(404);
    expect(rpcError(mcp.body).error.code).toBe(-32001);
    const sse = await mcpPost(initializeRequest, ctx.credentials, "/sse/message?sessionId=attack-never-issued");
    expect(sse.response.status).toBe(404);
    expect(rpcError(sse.body).error).toEqual({ code: -32001, message: "Session not found: open a new stream with GET /sse" });
  });

  it(
    auth.style === "public"
      ? "a message for another client's SSE session is accepted (not applicable: public app, anonymous callers cannot be told apart; the session id is an unguessable Durable Object id)"
      : "a message for another caller's SSE session (a guessed or leaked session id): 404, like a missing one",
    async () => {
      const owner = await connectSdkClient(`${ctx.origin}/sse`, "sse", undefined, ctx.credentials);
      try {
        const other =
          auth.style === "public"
            ? {}
            : auth.style === "bearer"
              ? bearer(auth.unscopedToken)
              : bearer((await ctx.signedIn("session thief")).tokens.access_token);
        // The SDK client keeps the endpoint the stream announced.
        const endpoint = (owner.transport as unknown as { _endpoint?: URL })._endpoint as URL;
        const { response, body } = await mcpPost(
          { jsonrpc: "2.0", id: 9, method: "tools/list" },
          other,
          `${endpoint.pathname}${endpoint.search}`,
        );
        if (auth.style === "public") {
          expect(response.status).toBe(202);
        } else {
          expect(response.status).toBe(404);
          expect(rpcError(body).error.code).toBe(-32001);
        }
      } finally {
        await owner.close();
      }
    },
  );
}

/** Opens GET /sse and reads its first event; the stream stays open until `abort`. */
async function openSse(origin: string, headers: HeaderMap) {
  const abort = new AbortController();
  const response = await fetch(`${origin}/sse`, { headers: { ...headers, Accept: "text/event-stream" }, signal: abort.signal });
  if (response.ok && response.body) {
    const reader = response.body.getReader();
    let text = "";
    while (!text.includes("\n\n")) text += new TextDecoder().decode((await reader.read()).value);
  }
  return { response, close: () => abort.abort() };
}

/** The number of SSE sessions one caller may hold open at once. */
export function sessionCapCases(ctx: AttackContext): void {
  const { auth } = ctx;
  it(`at most ${MAX_SSE_SESSIONS} open SSE sessions per caller: the next GET /sse is 429 with a JSON-RPC error; another caller is unaffected`, async () => {
    // A caller that holds no other session: a fresh network on a public app, else a credential of its own.
    const caller: HeaderMap =
      auth.style === "public"
        ? { "CF-Connecting-IP": "198.51.100.77" }
        : auth.style === "bearer"
          ? bearer(auth.sessionCapToken)
          : bearer((await ctx.signedIn("sse session cap")).tokens.access_token);
    const open: { close: () => void }[] = [];
    try {
      for (let n = 0; n < MAX_SSE_SESSIONS; n++) {
        const session = await openSse(ctx.origin, caller);
        open.push(session);
        expect(session.response.status, `session ${n + 1}`).toBe(200);
      }
      const refused = await openSse(ctx.origin, caller);
      expect(refused.response.status).toBe(429);
      expect(refused.response.headers.get("retry-after")).toBe("30");
      expect(rpcError(await refused.response.text()).error).toEqual({
        code: -32000,
        message: `Too Many Requests: this caller already has ${MAX_SSE_SESSIONS} open SSE sessions; close one before opening another.`,
      });
      const other = await openSse(ctx.origin, auth.style === "public" ? { "CF-Connecting-IP": "198.51.100.78" } : ctx.credentials);
      open.push(other);
      expect(other.response.status).toBe(200);
    } finally {
      for (const session of open) session.close();
    }
  });
}

/** A restart while clients are connected: stateless /mcp carries on, SSE reconnects, grants survive. */
export function durabilityCases(ctx: AttackContext): void {
  const { oauth, browse } = ctx;

  describe("durability", () => {
    it("a restart in the middle of a client's work loses nothing: /mcp carries on, /sse reconnects with a new session", async () => {
      const provider = oauth ? new TestOAuthProvider(browse, "http://127.0.0.1:65505/callback", "durability client") : undefined;
      const headers = oauth ? undefined : ctx.credentials;
      const streamable: Client = await connectSdkClient(`${ctx.origin}/mcp`, "streamable-http", provider, headers);
      const sse: Client = await connectSdkClient(`${ctx.origin}/sse`, "sse", provider, headers);
      const signIns = provider?.lastRedirect;
      try {
        expect(await streamable.callTool(PROBE)).toEqual(PROBE_RESULT);
        expect(await sse.callTool(PROBE)).toEqual(PROBE_RESULT);
        const tokens = provider?.tokens();
        ctx.remember(tokens?.access_token, tokens?.refresh_token);

        // Spans are exported in batches up to a second after a request (otlp.ts); a restart drops an
        // unsent batch, so the spans of the cases before this one are let out first.
        await new Promise((resolve) => setTimeout(resolve, 1500));
        await (ctx.server as AttackServer).restart();

        // Stateless /mcp: the same client, same token, next call works.
        expect(await streamable.callTool(PROBE)).toEqual(PROBE_RESULT);
        // Legacy SSE: the stream died with the process; a new connection gets a new session, no new sign-in.
        const again = await connectSdkClient(`${ctx.origin}/sse`, "sse", provider, headers);
        try {
          expect(await again.callTool(PROBE)).toEqual(PROBE_RESULT);
        } finally {
          await again.close();
        }
        expect(provider?.lastRedirect).toBe(signIns);
        if (oauth && tokens?.refresh_token) {
          // The grant (KV) survived too: its refresh token still works.
          const info = provider?.clientInformation() as { client_id: string };
          ctx.tokensFrom(
            await ctx.tokenRequest("refresh after restart", {
              grant_type: "refresh_token",
              refresh_token: tokens.refresh_token,
              client_id: info.client_id,
            }),
          );
        }
      } finally {
        await streamable.close().catch(() => {});
        await sse.close().catch(() => {});
      }
    });
  });
}
