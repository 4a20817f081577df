import { env } from "cloudflare:workers";
import { getOAuthApi, OAuthProvider, type OAuthProviderOptions } from "@cloudflare/workers-oauth-provider";
import { sha256, sha256Hex } from "@repo/mcp-core";
import { describe, expect, it } from "vitest";
import { guardRefresh, judgeRefresh } from "./refresh-reuse.js";

// The pinned workers-oauth-provider, driven through its real token endpoint with a real grant in
// (miniflare's) KV: what refresh-reuse.ts relies on, then the guard around it.

const ORIGIN = "http://localhost:8787";
const REDIRECT = "http://127.0.0.1:65504/callback";
const kv = (env as unknown as { OAUTH_KV: KVNamespace }).OAUTH_KV;
const testEnv = { OAUTH_KV: kv };
const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;
const options: OAuthProviderOptions<typeof testEnv> = {
  apiRoute: "/mcp",
  apiHandler: { fetch: async () => new Response(null, { status: 204 }) },
  defaultHandler: { fetch: async () => new Response(null, { status: 404 }) },
  authorizeEndpoint: "/authorize",
  tokenEndpoint: "/token",
  clientRegistrationEndpoint: "/register",
  scopesSupported: ["mcp:tools", "offline_access"],
  resourceMetadata: { resource: ORIGIN, authorization_servers: [ORIGIN] },
};
const provider = new OAuthProvider(options);
const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

interface Tokens {
  access_token: string;
  refresh_token: string;
}

/** A real grant: a registered public client, a completed authorization, the code exchanged with PKCE. */
async function signIn(userId: string): Promise<{ clientId: string; tokens: Tokens }> {
  const helpers = getOAuthApi(options, testEnv);
  const client = await helpers.createClient({ redirectUris: [REDIRECT], tokenEndpointAuthMethod: "none", clientName: "unit" });
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await sha256(verifier));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: client.clientId,
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: "S256",
    scope: "mcp:tools offline_access",
    resource: ORIGIN,
  });
  const request = await helpers.parseAuthRequest(new Request(`${ORIGIN}/authorize?${query}`));
  const { redirectTo } = await helpers.completeAuthorization({ request, userId, metadata: {}, scope: request.scope, props: { userId } });
  const code = new URL(redirectTo).searchParams.get("code") ?? "";
  const response = await token({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT,
    client_id: client.clientId,
    code_verifier: verifier,
  });
  expect(response.status).toBe(200);
  return { clientId: client.clientId, tokens: await response.json() };
}

const tokenRequest = (form: Record<string, string>) =>
  new Request(`${ORIGIN}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(form),
  });
const token = (form: Record<string, string>) => provider.fetch(tokenRequest(form), testEnv, ctx);
const refreshForm = (clientId: string, refreshToken: string) => ({
  grant_type: "refresh_token",
  refresh_token: refreshToken,
  client_id: clientId,
});

describe("workers-oauth-provider (pinned): what the refresh guard relies on", () => {
  it("stores the grant at grant:<user>:<grant> with the SHA-256 of the current and previous refresh tokens", async () => {
    const { clientId, tokens } = await signIn("unit-user-1");
    const [userId, grantId, secret] = tokens.refresh_token.split(":");
    expect([userId, typeof grantId, typeof secret]).toEqual(["unit-user-1", "string", "string"]);
    const key = `grant:${userId}:${grantId}`;
    expect(await kv.get(key, "json")).toMatchObject({ refreshTokenId: await sha256Hex(tokens.refresh_token), clientId });

    const next: Tokens = await (await token(refreshForm(clientId, tokens.refresh_token))).json();
    expect(await kv.get(key, "json")).toMatchObject({
      refreshTokenId: await sha256Hex(next.refresh_token),
      previousRefreshTokenId: await sha256Hex(tokens.refresh_token),
    });
  });

  it("on its own, honours a rotated-out refresh token again and so ends its successor: the hole the guard closes", async () => {
    const { clientId, tokens } = await signIn("unit-user-2");
    const next: Tokens = await (await token(refreshForm(clientId, tokens.refresh_token))).json();
    expect((await token(refreshForm(clientId, tokens.refresh_token))).status).toBe(200);
    expect((await token(refreshForm(clientId, tokens.refresh_token))).status).toBe(200);
    expect((await token(refreshForm(clientId, next.refresh_token))).status).toBe(400);
  });
});

describe("guardRefresh around the provider", () => {
  const revoked: string[] = [];
  const guarded = (form: Record<string, string>) =>
    guardRefresh(
      tokenRequest(form),
      kv,
      60,
      {
        app: "unit",
        revokeGrant: async (grantId, userId) => {
          revoked.push(grantId);
          await getOAuthApi(options, testEnv).revokeGrant(grantId, userId);
        },
      },
      (request) => provider.fetch(request, testEnv, ctx),
    );

  it("serves one retry of the previous token, then revokes the grant on the next reuse", async () => {
    const { clientId, tokens } = await signIn("unit-user-3");
    const grantId = tokens.refresh_token.split(":")[1] as string;
    expect((await guarded(refreshForm(clientId, tokens.refresh_token))).status).toBe(200);
    const retried: Tokens = await (await guarded(refreshForm(clientId, tokens.refresh_token))).json();
    expect(retried.refresh_token).toBeTruthy();
    const reuse = await guarded(refreshForm(clientId, tokens.refresh_token));
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toMatchObject({ error: "invalid_grant" });
    expect(revoked).toContain(grantId);
    expect(await kv.get(`grant:unit-user-3:${grantId}`)).toBeNull();
    expect((await guarded(refreshForm(clientId, retried.refresh_token))).status).toBe(400);
  });

  it("passes other grant types and unknown tokens to the provider untouched", async () => {
    const { clientId } = await signIn("unit-user-4");
    const unknown = await guarded(refreshForm(clientId, "unit-user-4:nope:nope"));
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: "invalid_grant", error_description: "Grant not found" });
    expect((await guarded({ grant_type: "client_credentials", client_id: clientId })).status).toBe(400);
  });
});

describe("judgeRefresh", () => {
  const grant = { refreshTokenId: "current", previousRefreshTokenId: "previous" };
  const NOW = 1_000_000;
  it.each([
    ["the current token", "current", [], { kind: "proceed", rotates: true }],
    [
      "the previous token, first retry within the window",
      "previous",
      [{ id: "previous", at: NOW - 60, retried: false }],
      { kind: "retry" },
    ],
    ["the previous token, after the window", "previous", [{ id: "previous", at: NOW - 61, retried: false }], { kind: "reuse" }],
    ["the previous token, retried already", "previous", [{ id: "previous", at: NOW, retried: true }], { kind: "reuse" }],
    ["the previous token, with no history (rotated before the guard existed)", "previous", [], { kind: "reuse" }],
    ["an older superseded token", "older", [{ id: "older", at: NOW, retried: false }], { kind: "reuse" }],
    ["a token the grant never had", "stranger", [], { kind: "proceed", rotates: false }],
  ] as const)("%s", (_, presented, history, verdict) => {
    expect(judgeRefresh(presented, grant, [...history], NOW, 60)).toEqual(verdict);
  });
});
