import { describe, expect, it } from "vitest";
import { challengeParam } from "../http.js";
import { type ClientRegistration, createPkce } from "../oauth-flow.js";
import type { AttackContext } from "./context.js";
import { bearer, CALLBACK, notApplicable, PROBE, TOOLS_SCOPE } from "./shared.js";

const oauthError = (body: string) => JSON.parse(body) as { error: string; error_description?: string };

/** The token endpoint: PKCE, code replay and binding, client authentication, refresh rotation, revocation. */
export function tokenCases(ctx: AttackContext): void {
  const { auth, send, register, authorize, exchange, tokenRequest, tokensFrom, signedIn, callTool, expectNormalCall } = ctx;

  describe("OAuth token endpoint", () => {
    if (!ctx.oauth) {
      it(`POST /token is 404 (not applicable: ${notApplicable(auth)})`, async () => {
        const { response } = await send("POST /token", `${ctx.origin}/token`, { method: "POST", body: "grant_type=refresh_token" });
        expect(response.status).toBe(404);
      });
      return;
    }

    const refresh = (client: ClientRegistration, refreshToken: string, extra: Record<string, string> = {}, what = "refresh_token") =>
      tokenRequest(what, {
        grant_type: "refresh_token",
        refresh_token: refreshToken,
        client_id: client.client_id,
        ...extra,
      });

    it("a wrong code_verifier: 400 invalid_grant", async () => {
      const client = await register("wrong verifier");
      const { code } = await authorize(client);
      const { response, body } = await exchange(client, code, createPkce().verifier);
      expect(response.status).toBe(400);
      expect(oauthError(body).error).toBe("invalid_grant");
    });

    it("no code_verifier at all: 400 invalid_request", async () => {
      const client = await register("missing verifier");
      const { code } = await authorize(client);
      const { response, body } = await tokenRequest("no verifier", {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        client_id: client.client_id,
      });
      expect(response.status).toBe(400);
      expect(oauthError(body).error).toBe("invalid_request");
    });

    it("a replayed authorization code: 400 invalid_grant, and the token the code bought is revoked", async () => {
      const client = await register("code replay");
      const { code, verifier } = await authorize(client);
      const tokens = tokensFrom(await exchange(client, code, verifier));
      await expectNormalCall(bearer(tokens.access_token));
      const replay = await exchange(client, code, verifier);
      expect(replay.response.status).toBe(400);
      expect(oauthError(replay.body)).toEqual({ error: "invalid_grant", error_description: "Authorization code already used" });
      // OAuth 2.1 §4.1.3: a replayed code leaked; what it bought is no longer honoured.
      const after = await callTool(PROBE.name, PROBE.arguments, bearer(tokens.access_token));
      expect(after.response.status).toBe(401);
      const refused = await refresh(client, tokens.refresh_token as string, {}, "refresh after replay");
      expect(refused.response.status).toBe(400);
      expect(oauthError(refused.body).error).toBe("invalid_grant");
    });

    it("a code exchanged by another client: 400 invalid_grant", async () => {
      const victim = await register("code victim");
      const thief = await register("code thief");
      const { code, verifier } = await authorize(victim);
      const { response, body } = await exchange(thief, code, verifier);
      expect(response.status).toBe(400);
      expect(oauthError(body).error).toBe("invalid_grant");
    });

    it("a redirect_uri at the token endpoint other than the one authorized: 400 invalid_grant", async () => {
      const client = await register("redirect mismatch", [CALLBACK, "http://127.0.0.1:65504/other"]);
      const { code, verifier } = await authorize(client);
      const { response, body } = await exchange(client, code, verifier, { redirect_uri: "http://127.0.0.1:65504/other" });
      expect(response.status).toBe(400);
      expect(oauthError(body).error).toBe("invalid_grant");
    });

    it("a resource at the token endpoint other than this server: 400 invalid_target", async () => {
      const client = await register("resource mismatch");
      const { code, verifier } = await authorize(client);
      const { response, body } = await exchange(client, code, verifier, { resource: "https://attacker.example" });
      expect(response.status).toBe(400);
      expect(oauthError(body).error).toBe("invalid_target");
    });

    it("a confidential client with a wrong client_secret: 401 invalid_client", async () => {
      const client = (await register("confidential", [CALLBACK], {
        token_endpoint_auth_method: "client_secret_post",
      })) as ClientRegistration & {
        client_secret: string;
      };
      expect(client.client_secret).toBeTruthy();
      const { response, body } = await tokenRequest("wrong secret", {
        grant_type: "refresh_token",
        refresh_token: "x:y:z",
        client_id: client.client_id,
        client_secret: `${client.client_secret}x`,
      });
      expect(response.status).toBe(401);
      expect(oauthError(body).error).toBe("invalid_client");
    });

    describe("refresh tokens", () => {
      const REUSED = {
        error: "invalid_grant",
        error_description: "This refresh token was already used; the grant is revoked. Sign in again.",
      };

      /** The grant is over: its access token is refused, and so is its newest refresh token. */
      async function expectGrantRevoked(client: ClientRegistration, tokens: { access_token: string; refresh_token?: string }) {
        const call = await callTool(PROBE.name, PROBE.arguments, bearer(tokens.access_token));
        expect(call.response.status).toBe(401);
        const again = await refresh(client, tokens.refresh_token as string, {}, "refresh of a revoked grant");
        expect(again.response.status).toBe(400);
        expect(oauthError(again.body).error).toBe("invalid_grant");
      }

      it("a lost refresh response may be retried once; the rotated-out token used again after that revokes the grant", async () => {
        const { client, tokens } = await signedIn("refresh rotation");
        const first = tokensFrom(await refresh(client, tokens.refresh_token as string));
        expect(first.refresh_token).not.toBe(tokens.refresh_token);
        // The client lost that response and retries with the token it still holds: served once.
        const retry = tokensFrom(await refresh(client, tokens.refresh_token as string));
        const second = tokensFrom(await refresh(client, retry.refresh_token as string));
        await expectNormalCall(bearer(second.access_token));
        const reuse = await refresh(client, tokens.refresh_token as string);
        expect(reuse.response.status).toBe(400);
        expect(oauthError(reuse.body)).toEqual(REUSED);
        await expectGrantRevoked(client, second);
      });

      it("a thief replaying a rotated-out refresh token after the client moved on: 400, and the whole grant ends", async () => {
        const { client, tokens } = await signedIn("refresh theft");
        const first = tokensFrom(await refresh(client, tokens.refresh_token as string));
        const second = tokensFrom(await refresh(client, first.refresh_token as string));
        const stolen = await refresh(client, tokens.refresh_token as string, {}, "stolen refresh_token");
        expect(stolen.response.status).toBe(400);
        expect(oauthError(stolen.body)).toEqual(REUSED);
        await expectGrantRevoked(client, second);
      });

      it("the previous refresh token presented twice: the second time revokes the grant", async () => {
        const { client, tokens } = await signedIn("refresh double retry");
        tokensFrom(await refresh(client, tokens.refresh_token as string));
        const retry = tokensFrom(await refresh(client, tokens.refresh_token as string));
        const again = await refresh(client, tokens.refresh_token as string, {}, "second retry");
        expect(again.response.status).toBe(400);
        expect(oauthError(again.body)).toEqual(REUSED);
        await expectGrantRevoked(client, retry);
      });

      it("a refresh token presented by another client: 400 invalid_grant", async () => {
        const { tokens } = await signedIn("refresh owner");
        const other = await register("refresh thief");
        const { response, body } = await refresh(other, tokens.refresh_token as string);
        expect(response.status).toBe(400);
        expect(oauthError(body)).toEqual({ error: "invalid_grant", error_description: "Client ID mismatch" });
      });

      it("scope widening on refresh: a scope never granted is refused (400 invalid_scope) or dropped (never added)", async () => {
        const { client, tokens } = await signedIn("narrow grant", "offline_access");
        expect(tokens.scope).toBe("offline_access");
        const widenOnly = await refresh(client, tokens.refresh_token as string, { scope: TOOLS_SCOPE });
        expect(widenOnly.response.status).toBe(400);
        expect(oauthError(widenOnly.body)).toEqual({
          error: "invalid_scope",
          error_description: "None of the requested scopes were granted",
        });
        const widened = tokensFrom(await refresh(client, tokens.refresh_token as string, { scope: `${TOOLS_SCOPE} offline_access` }));
        expect(widened.scope).toBe("offline_access");
        const call = await callTool(PROBE.name, PROBE.arguments, bearer(widened.access_token));
        expect(call.response.status).toBe(403);
      });

      it("a resource other than this server on refresh: 400 invalid_target", async () => {
        const { client, tokens } = await signedIn("refresh resource");
        const { response, body } = await refresh(client, tokens.refresh_token as string, { resource: "https://attacker.example" });
        expect(response.status).toBe(400);
        expect(oauthError(body).error).toBe("invalid_target");
      });
    });

    it("a revoked access token: 401 invalid_token (its refresh token stays valid: RFC 7009 leaves that to the server)", async () => {
      const { client, tokens } = await signedIn("revoked access token");
      await expectNormalCall(bearer(tokens.access_token));
      const revoke = await tokenRequest("revocation", {
        token: tokens.access_token,
        token_type_hint: "access_token",
        client_id: client.client_id,
      });
      expect(revoke.response.status).toBe(200);
      const after = await callTool(PROBE.name, PROBE.arguments, bearer(tokens.access_token));
      expect(after.response.status).toBe(401);
      expect(challengeParam(after.response.headers.get("www-authenticate"), "error")).toBe("invalid_token");
      const refreshed = tokensFrom(await refresh(client, tokens.refresh_token as string, {}, "refresh after access revocation"));
      await expectNormalCall(bearer(refreshed.access_token));
    });

    it("a revoked refresh token: the whole grant is gone, its access token answers 401 and it cannot refresh", async () => {
      const { client, tokens } = await signedIn("revoked refresh token");
      const revoke = await tokenRequest("revocation", {
        token: tokens.refresh_token as string,
        token_type_hint: "refresh_token",
        client_id: client.client_id,
      });
      expect(revoke.response.status).toBe(200);
      const after = await callTool(PROBE.name, PROBE.arguments, bearer(tokens.access_token));
      expect(after.response.status).toBe(401);
      const refused = await refresh(client, tokens.refresh_token as string, {}, "refresh after revocation");
      expect(refused.response.status).toBe(400);
      expect(oauthError(refused.body).error).toBe("invalid_grant");
    });
  });
}
