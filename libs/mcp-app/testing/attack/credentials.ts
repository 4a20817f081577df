import { describe, expect, it } from "vitest";
import { challengeParam, type HeaderMap } from "../http.js";
import type { AttackContext } from "./context.js";
import { bearer, PROTOCOL, TOOLS_SCOPE } from "./shared.js";

/** What /mcp and /sse do with a missing, malformed, forged, misplaced or foreign credential. */
export function credentialCases(ctx: AttackContext): void {
  const { auth, oauth, mcpPost } = ctx;

  describe("resource endpoint (/mcp, /sse): credentials", () => {
    const metadata = () => `${ctx.origin}/.well-known/oauth-protected-resource`;
    /** The challenge a request without a usable token gets (no `error` when no token was sent, RFC 6750 §3.1). */
    const challenge = (error?: string) =>
      auth.style === "oauth"
        ? `Bearer realm="OAuth", resource_metadata="${metadata()}"${error ? `, error="${error}"` : ""}, scope="${TOOLS_SCOPE}"`
        : `Bearer ${error ? `error="${error}", ` : ""}`;

    const list = (headers: HeaderMap, path = "/mcp") =>
      mcpPost({ jsonrpc: "2.0", id: 3, method: "tools/list" }, { ...headers, "MCP-Protocol-Version": PROTOCOL }, path);

    if (auth.style === "public") {
      it.each([
        ["no token", {}],
        ["Authorization: Basic", { Authorization: "Basic YWRhOmNvcnJlY3QgaG9yc2U=" }],
        ["an empty Bearer", { Authorization: "Bearer " }],
        ["a garbage token", { Authorization: "Bearer attack-garbage-token" }],
      ])("%s: served, credentials are ignored (not applicable: public app)", async (_, headers) => {
        const { response } = await list(headers);
        expect(response.status).toBe(200);
      });
      return;
    }

    it("no token: 401 with a challenge naming the resource metadata", async () => {
      for (const path of ["/mcp", "/sse/message?sessionId=x"]) {
        const { response } = await list({}, path);
        expect(response.status, path).toBe(401);
        const header = response.headers.get("www-authenticate") as string;
        if (auth.style === "oauth") expect(header).toBe(challenge());
        else expect(header).toBe(`Bearer resource_metadata="${metadata()}"`);
      }
    });

    it("a garbage token: 401 invalid_token", async () => {
      const { response } = await list(bearer("attack-garbage-token"));
      expect(response.status).toBe(401);
      expect(challengeParam(response.headers.get("www-authenticate"), "error")).toBe("invalid_token");
      expect(challengeParam(response.headers.get("www-authenticate"), "resource_metadata")).toBe(metadata());
    });

    // OAuth provider tokens are user:grant:secret; ':' and '@' are outside RFC 6750's token68, which
    // the bearer app enforces before any lookup (400); the OAuth app looks the token up and finds no grant.
    it(`a forged token in the OAuth provider's user:grant:secret shape: ${oauth ? "401 invalid_token" : "400 invalid_request (not token68)"}`, async () => {
      const { response } = await list(bearer("mock-ada@example.com:forged:token"));
      expect(response.status).toBe(oauth ? 401 : 400);
      expect(challengeParam(response.headers.get("www-authenticate"), "error")).toBe(oauth ? "invalid_token" : "invalid_request");
      expect(challengeParam(response.headers.get("www-authenticate"), "resource_metadata")).toBe(metadata());
    });

    // The bearer app answers a header it cannot read as a bearer token with 400 invalid_request
    // (hono bearer-auth style: the client sent something, and it is malformed); the OAuth provider
    // treats any non-Bearer or empty credential as no token at all (401, no error code).
    it.each([
      ["Authorization: Basic", { Authorization: "Basic YWRhOmNvcnJlY3QgaG9yc2U=" }],
      ["an empty Bearer", { Authorization: "Bearer " }],
      ["Bearer with two values", { Authorization: "Bearer one two" }],
    ])(`%s: ${auth.style === "oauth" ? "401 without an error code" : "400 invalid_request"}`, async (_, headers) => {
      const { response } = await list(headers);
      const header = response.headers.get("www-authenticate");
      if (auth.style === "oauth") {
        expect(response.status).toBe(401);
        expect(challengeParam(header, "error")).toBeUndefined();
      } else {
        expect(response.status).toBe(400);
        expect(challengeParam(header, "error")).toBe("invalid_request");
      }
      expect(challengeParam(header, "resource_metadata")).toBe(metadata());
    });

    it.each([["access_token"], ["auth_token"]])(
      `a valid token only in the query string (?%s=): ${auth.style === "oauth" ? "401, never honoured" : "400, query tokens are off"}`,
      async (param) => {
        const token = (ctx.credentials.Authorization as string).slice("Bearer ".length);
        const { response } = await mcpPost(
          { jsonrpc: "2.0", id: 3, method: "tools/list" },
          { "MCP-Protocol-Version": PROTOCOL },
          `/mcp?${param}=${encodeURIComponent(token)}`,
        );
        if (auth.style === "bearer" && param === "auth_token") {
          expect(response.status).toBe(400);
          expect(challengeParam(response.headers.get("www-authenticate"), "error")).toBe("invalid_request");
        } else {
          expect(response.status).toBe(401);
          expect(challengeParam(response.headers.get("www-authenticate"), "error")).toBeUndefined();
        }
      },
    );

    it(
      oauth
        ? "a token issued for this server at 127.0.0.1, presented at localhost (another resource): 401 invalid_token"
        : "another deployment's API key: 401 invalid_token (not applicable: bearer tokens are not audience-bound; only this deployment's credentials count)",
      async () => {
        const target = oauth ? ctx.origin.replace("127.0.0.1", "localhost") : ctx.origin;
        const headers = oauth ? ctx.credentials : bearer("mcpk_demo_laptop_pzfv_lhzupmRfsxfgKdda37m");
        const response = await fetch(`${target}/mcp`, {
          method: "POST",
          headers: {
            ...headers,
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
            "MCP-Protocol-Version": PROTOCOL,
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list" }),
        });
        ctx.bodies.push({ what: "cross-resource", body: await response.text() });
        expect(response.status).toBe(401);
        expect(challengeParam(response.headers.get("www-authenticate"), "error")).toBe("invalid_token");
      },
    );
  });
}
