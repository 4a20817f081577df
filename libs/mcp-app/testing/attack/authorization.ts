import { beforeAll, describe, expect, it } from "vitest";
import { authorizationUrl, type ClientRegistration, createPkce } from "../oauth-flow.js";
import type { AttackContext } from "./context.js";
import { CALLBACK, HTTPS_CALLBACK, notApplicable } from "./shared.js";

/** The authorization endpoint's redirect URI, client, PKCE and resource checks, and registration's redirect URI rules. */
export function authorizationCases(ctx: AttackContext): void {
  const { auth, send } = ctx;

  describe("OAuth authorization endpoint and client registration", () => {
    if (!ctx.oauth) {
      it(`/authorize, /token, /register and the authorization server metadata are 404 (not applicable: ${notApplicable(auth)})`, async () => {
        for (const path of ["/authorize", "/token", "/register", "/.well-known/oauth-authorization-server"]) {
          const { response } = await send(`GET ${path}`, `${ctx.origin}${path}`);
          expect(response.status, path).toBe(404);
        }
      });
      return;
    }

    let client: ClientRegistration;
    beforeAll(async () => {
      client = await ctx.register("redirect probe", [HTTPS_CALLBACK, CALLBACK]);
    });

    const authorizeAt = (redirectUri: string, clientId = client.client_id) =>
      authorizationUrl(ctx.authServer, {
        clientId,
        redirectUri,
        state: "s-redirect",
        codeChallenge: createPkce().challenge,
        resource: ctx.origin,
      });

    /** A 400 page for the user, and no redirect anywhere. */
    async function expectErrorPage(url: URL, message: string): Promise<void> {
      const { response, body } = await send("GET /authorize", url);
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(body).toContain("<h1>This sign-in request cannot continue</h1>");
      expect(body).toContain(`<p>${message}</p>`);
    }

    it.each([
      ["an unregistered URI", "https://attacker.example/cb"],
      ["a suffix domain", "https://client.example.attacker.example/cb"],
      ["userinfo (@) in front of another host", "https://client.example@attacker.example/cb"],
      ["path traversal", "https://client.example/cb/../attacker"],
      ["encoded path traversal", "https://client.example/cb/%2e%2e/attacker"],
      ["a trailing slash", "https://client.example/cb/"],
      ["another port", "https://client.example:8443/cb"],
      ["a fragment", "https://client.example/cb#fragment"],
      ["http instead of https", "http://client.example/cb"],
      ["another path on the registered loopback host", "http://127.0.0.1:65504/callback/../attacker"],
      ["another loopback host name (localhost for 127.0.0.1)", "http://localhost:65504/callback"],
    ])("redirect_uri near-miss, %s: a 400 page, no redirect", async (_, redirectUri) => {
      await expectErrorPage(authorizeAt(redirectUri), "Invalid redirect URI");
    });

    it("a loopback redirect URI on another port is accepted (RFC 8252 §7.3: native apps listen on any free port)", async () => {
      const { response, body } = await send("GET /authorize", authorizeAt("http://127.0.0.1:65000/callback"));
      expect(response.status).toBe(200);
      expect(body).toContain('name="handle"');
    });

    it("an unknown client_id: a 400 page, no redirect", async () => {
      await expectErrorPage(authorizeAt(CALLBACK, "attack-unknown-client"), "Invalid client_id");
    });

    it.each([
      ["javascript:", "javascript:alert(document.domain)"],
      ["JavaScript: (mixed case)", "JavaScript:alert(1)"],
      ["javascript: after whitespace", "  javascript:alert(1)"],
      ["javascript: with a tab inside", "java\tscript:alert(1)"],
      ["javascript: after a control character", "\u0001javascript:alert(1)"],
      ["javascript: with a newline", "javascript:%0aalert(1)\n"],
      ["data:", "data:text/html,<script>alert(1)</script>"],
      ["vbscript:", "vbscript:msgbox(1)"],
      ["file:", "file:///etc/passwd"],
      ["http on a remote host", "http://attacker.example/cb"],
    ])("registration with a %s redirect URI is refused (400 invalid_client_metadata)", async (_, uri) => {
      const { response, body } = await send("POST /register", ctx.authServer.registration_endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_name: "dangerous", redirect_uris: [uri], token_endpoint_auth_method: "none" }),
      });
      expect(response.status).toBe(400);
      expect(JSON.parse(body)).toMatchObject({ error: "invalid_client_metadata" });
    });

    /** The error redirect to the (registered, trusted) redirect URI, as query parameters. */
    async function errorRedirect(url: URL): Promise<Record<string, string>> {
      const { response } = await send("GET /authorize", url);
      expect(response.status).toBe(302);
      const location = new URL(response.headers.get("location") as string);
      expect(location.origin + location.pathname).toBe(CALLBACK);
      expect(location.searchParams.has("code")).toBe(false);
      return Object.fromEntries(location.searchParams);
    }

    it("no PKCE: an error redirect with invalid_request, no code", async () => {
      const url = authorizationUrl(ctx.authServer, {
        clientId: client.client_id,
        redirectUri: CALLBACK,
        state: "s3",
        resource: ctx.origin,
      });
      expect(await errorRedirect(url)).toEqual({
        error: "invalid_request",
        error_description: "Public clients must use PKCE with the authorization code flow.",
        state: "s3",
        iss: ctx.origin,
      });
    });

    it("code_challenge_method=plain: an error redirect with invalid_request, no code", async () => {
      const pkce = createPkce();
      const url = authorizationUrl(ctx.authServer, {
        clientId: client.client_id,
        redirectUri: CALLBACK,
        state: "s4",
        codeChallenge: pkce.verifier,
        codeChallengeMethod: "plain",
        resource: ctx.origin,
      });
      expect(await errorRedirect(url)).toEqual({
        error: "invalid_request",
        error_description: "The plain PKCE method is not allowed. Use S256 instead.",
        state: "s4",
        iss: ctx.origin,
      });
    });

    it.each([
      ["another server", "https://attacker.example"],
      ["this server under another host name (localhost vs 127.0.0.1)", "LOCALHOST"],
    ])("resource naming %s: an error redirect with invalid_target, no code", async (_, resource) => {
      const url = authorizationUrl(ctx.authServer, {
        clientId: client.client_id,
        redirectUri: CALLBACK,
        state: "s5",
        codeChallenge: createPkce().challenge,
        resource: resource === "LOCALHOST" ? ctx.origin.replace("127.0.0.1", "localhost") : resource,
      });
      expect(await errorRedirect(url)).toEqual({
        error: "invalid_target",
        error_description: "The resource parameter must name exactly one configured protected resource",
        state: "s5",
        iss: ctx.origin,
      });
    });

    it.each([
      ["a client_name of 201 characters", { client_name: "n".repeat(201) }, "client_name is longer than 200 characters"],
      [
        "11 redirect URIs",
        { redirect_uris: Array.from({ length: 11 }, (_, n) => `http://127.0.0.1:65504/cb${n}`) },
        "redirect_uris lists more than 10 URIs",
      ],
      [
        "a redirect URI of 2,049 characters",
        { redirect_uris: [`http://127.0.0.1:65504/${"p".repeat(2049 - 23)}`] },
        "redirect_uris[0] is longer than 2048 characters",
      ],
      [
        "a 20 KiB registration",
        { client_uri: `https://client.example/${"x".repeat(20 * 1024)}` },
        "the registration is larger than 16384 bytes",
      ],
    ])("dynamic registration with %s: 400 invalid_client_metadata naming the field, nothing stored", async (_, fields, description) => {
      const { response, body } = await ctx.send("POST /register (oversized)", ctx.authServer.registration_endpoint as string, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_name: "caps", redirect_uris: [CALLBACK], token_endpoint_auth_method: "none", ...fields }),
      });
      expect(response.status).toBe(400);
      expect(JSON.parse(body)).toEqual({ error: "invalid_client_metadata", error_description: description });
    });
  });
}
