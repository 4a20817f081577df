import { beforeAll, describe, expect, it } from "vitest";
import { connectSdkClient } from "../clients.js";
import { challengeParam, type HeaderMap } from "../http.js";
import type { AttackContext } from "./context.js";
import { bearer, PROBE, PROTOCOL, TOOLS_SCOPE, UI_MIME_TYPE, versionHeader } from "./shared.js";

/** The tools scope: advertised, required for tools/call on every transport and era, not for discovery. */
export function scopeCases(ctx: AttackContext): void {
  const { auth, oauth, send, mcpPost, callTool, expectNormalCall } = ctx;

  describe("scopes", () => {
    it(`every tool requires ${TOOLS_SCOPE}, and the app advertises it in scopes_supported`, async () => {
      if (auth.style === "public") {
        const { response } = await send("GET metadata", `${ctx.origin}/.well-known/oauth-protected-resource`);
        expect(response.status).toBe(404);
        return;
      }
      const { body } = await send("GET metadata", `${ctx.origin}/.well-known/oauth-protected-resource`);
      expect((JSON.parse(body) as { scopes_supported?: string[] }).scopes_supported).toContain(TOOLS_SCOPE);
      if (oauth) expect((ctx.authServer as unknown as { scopes_supported: string[] }).scopes_supported).toContain(TOOLS_SCOPE);
    });

    if (auth.style === "public") {
      it("a call without any scope is served (not applicable: public app, anonymous callers are not asked for scopes)", async () => {
        await expectNormalCall({});
      });
      return;
    }

    let limited: HeaderMap;
    beforeAll(async () => {
      limited =
        auth.style === "bearer"
          ? bearer(auth.unscopedToken)
          : bearer((await ctx.signedIn("narrow scope", "offline_access")).tokens.access_token);
    });

    it(`a tools/call without ${TOOLS_SCOPE} on /mcp: HTTP 403 insufficient_scope naming the scope`, async () => {
      const { response, body } = await callTool(PROBE.name, PROBE.arguments, limited);
      expect(response.status).toBe(403);
      const header = response.headers.get("www-authenticate");
      expect(header).toMatch(/^Bearer /);
      expect(challengeParam(header, "error")).toBe("insufficient_scope");
      expect(challengeParam(header, "scope")).toBe(TOOLS_SCOPE);
      expect(challengeParam(header, "resource_metadata")).toBe(`${ctx.origin}/.well-known/oauth-protected-resource`);
      expect(JSON.parse(body)).toEqual({ error: "insufficient_scope", error_description: "Insufficient scope" });
    });

    it(`the same call on the 2026-07-28 era: HTTP 403 insufficient_scope`, async () => {
      const { response } = await ctx.callToolModern(PROBE, limited);
      expect(response.status).toBe(403);
      expect(challengeParam(response.headers.get("www-authenticate"), "scope")).toBe(TOOLS_SCOPE);
    });

    it("the same call over legacy SSE: HTTP 403 insufficient_scope on the POST, nothing reaches the session", async () => {
      const client = await connectSdkClient(`${ctx.origin}/sse`, "sse", undefined, limited);
      try {
        const endpoint = (client.transport as unknown as { _endpoint: URL })._endpoint;
        const { response, body } = await mcpPost(
          { jsonrpc: "2.0", id: 11, method: "tools/call", params: PROBE },
          limited,
          `${endpoint.pathname}${endpoint.search}`,
        );
        expect(response.status).toBe(403);
        expect(response.headers.get("www-authenticate")).toBe(
          `Bearer error="insufficient_scope", scope="${TOOLS_SCOPE}", resource_metadata="${ctx.origin}/.well-known/oauth-protected-resource"`,
        );
        expect(JSON.parse(body)).toEqual({
          jsonrpc: "2.0",
          id: 11,
          error: { code: -32003, message: `Forbidden (insufficient_scope): this needs the scope ${TOOLS_SCOPE}` },
        });
        // The SDK client surfaces the refusal as a failed call, never as a result.
        const failure = await client.callTool(PROBE).then(
          () => "resolved",
          (reason: unknown) => String(reason),
        );
        expect(failure).toContain("HTTP 403");
        expect(failure).toContain("insufficient_scope");
      } finally {
        await client.close();
      }
    });

    it(`an MCP Apps UI is refused like the tool it serves: resources/read without ${TOOLS_SCOPE} is HTTP 403, listing it is not`, async () => {
      const listed = async (method: "tools/list" | "resources/list") => {
        const { response, body } = await mcpPost({ jsonrpc: "2.0", id: 4, method }, { ...limited, ...versionHeader });
        expect(response.status).toBe(200);
        return JSON.parse(body).result as Record<
          string,
          Array<{ uri?: string; mimeType?: string; _meta?: { ui?: { resourceUri?: string } } }>
        >;
      };
      const linked = new Set((await listed("tools/list")).tools?.flatMap((tool) => tool._meta?.ui?.resourceUri ?? []));
      const uis = ((await listed("resources/list")).resources ?? []).filter((resource) => resource.mimeType === UI_MIME_TYPE);
      // Every UI a tool links is listed; an app without UIs has nothing to refuse.
      expect(uis.map((resource) => resource.uri).sort()).toEqual([...linked].sort());
      for (const { uri } of uis) {
        const { response } = await mcpPost(
          { jsonrpc: "2.0", id: 5, method: "resources/read", params: { uri } },
          { ...limited, ...versionHeader },
        );
        expect(response.status).toBe(403);
        expect(challengeParam(response.headers.get("www-authenticate"), "error")).toBe("insufficient_scope");
        expect(challengeParam(response.headers.get("www-authenticate"), "scope")).toBe(TOOLS_SCOPE);
      }
    });

    it("a credential without the scope may still list the tools (discovery needs no scope)", async () => {
      const { response, body } = await mcpPost(
        { jsonrpc: "2.0", id: 3, method: "tools/list" },
        { ...limited, "MCP-Protocol-Version": PROTOCOL },
      );
      expect(response.status).toBe(200);
      expect((JSON.parse(body) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(0);
    });
  });
}
