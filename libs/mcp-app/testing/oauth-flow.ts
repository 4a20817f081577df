import { createHash, randomBytes } from "node:crypto";

/**
 * The OAuth 2.1 steps an MCP client performs, one function each, so tests can do them by hand:
 * discover, register (RFC 7591), authorize with PKCE and `resource` (RFC 8707), exchange the code.
 */

/** The RFC 8414 fields these tests use. */
export interface AuthorizationServerMetadata {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  registration_endpoint: string;
  code_challenge_methods_supported?: string[];
}

/** The RFC 9728 fields these tests use. */
export interface ProtectedResourceMetadata {
  resource: string;
  authorization_servers: string[];
  scopes_supported?: string[];
}

async function getJson<T>(url: string | URL): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as T;
}

export const protectedResourceMetadata = (origin: string): Promise<ProtectedResourceMetadata> =>
  getJson(`${origin}/.well-known/oauth-protected-resource`);

/** Follows the resource's metadata to its (first) authorization server, as MCP clients do. */
export async function discoverAuthorizationServer(origin: string): Promise<AuthorizationServerMetadata> {
  const resource = await protectedResourceMetadata(origin);
  const issuer = resource.authorization_servers[0];
  if (!issuer) throw new Error(`${origin} names no authorization server`);
  return getJson(new URL("/.well-known/oauth-authorization-server", issuer));
}

export interface ClientRegistration {
  client_id: string;
  client_name?: string;
  redirect_uris: string[];
}

/** Dynamic client registration of a public client (no secret), as desktop MCP clients register. */
export async function registerClient(
  server: AuthorizationServerMetadata,
  metadata: { client_name: string; redirect_uris: string[] },
): Promise<ClientRegistration> {
  const response = await fetch(server.registration_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      ...metadata,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    }),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 201) throw new Error(`registration answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as ClientRegistration;
}

const base64url = (bytes: Buffer) => bytes.toString("base64url");

export interface Pkce {
  verifier: string;
  challenge: string;
}

/** A fresh PKCE pair: a 43-character verifier and its S256 challenge. */
export function createPkce(): Pkce {
  const verifier = base64url(randomBytes(32));
  return { verifier, challenge: base64url(createHash("sha256").update(verifier).digest()) };
}

export interface AuthorizationParams {
  clientId: string;
  redirectUri: string;
  state: string;
  /** Omit to send no code_challenge at all. */
  codeChallenge?: string;
  /** Defaults to S256 whenever a challenge is sent. */
  codeChallengeMethod?: string;
  resource?: string;
  scope?: string;
}

/** The URL a client sends the browser to. */
export function authorizationUrl(server: AuthorizationServerMetadata, params: AuthorizationParams): URL {
  const url = new URL(server.authorization_endpoint);
  const query = url.searchParams;
  query.set("response_type", "code");
  query.set("client_id", params.clientId);
  query.set("redirect_uri", params.redirectUri);
  query.set("state", params.state);
  if (params.codeChallenge !== undefined) {
    query.set("code_challenge", params.codeChallenge);
    query.set("code_challenge_method", params.codeChallengeMethod ?? "S256");
  }
  if (params.resource !== undefined) query.set("resource", params.resource);
  if (params.scope !== undefined) query.set("scope", params.scope);
  return url;
}

export interface CodeExchange {
  clientId: string;
  redirectUri: string;
  code: string;
  verifier: string;
  resource?: string;
}

/** POSTs the authorization code to the token endpoint; returns the raw response so tests can check errors. */
export function exchangeCode(server: AuthorizationServerMetadata, exchange: CodeExchange): Promise<Response> {
  const form = new URLSearchParams({
    grant_type: "authorization_code",
    code: exchange.code,
    redirect_uri: exchange.redirectUri,
    client_id: exchange.clientId,
    code_verifier: exchange.verifier,
  });
  if (exchange.resource !== undefined) form.set("resource", exchange.resource);
  return fetch(server.token_endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: form,
    signal: AbortSignal.timeout(10_000),
  });
}

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  scope?: string;
}

/** Plays the browser: given the authorization URL, returns the URL the user was finally redirected to. */
export type Browse = (authorizationUrl: URL) => Promise<URL>;

/**
 * The whole authorization-code flow with PKCE S256 and `resource`, as a registered public client
 * would do it; `browse` plays the user. Returns the token response.
 */
export async function authorizeClient(origin: string, browse: Browse, clientName = "e2e manual client"): Promise<TokenResponse> {
  const server = await discoverAuthorizationServer(origin);
  // Nothing listens on this callback: browse() returns the redirect instead of following it.
  const redirectUri = "http://127.0.0.1:65501/callback";
  const client = await registerClient(server, { client_name: clientName, redirect_uris: [redirectUri] });
  const pkce = createPkce();
  const state = base64url(randomBytes(16));
  const url = authorizationUrl(server, { clientId: client.client_id, redirectUri, state, codeChallenge: pkce.challenge, resource: origin });
  const landed = await browse(url);
  const code = landed.searchParams.get("code");
  if (!code || landed.searchParams.get("state") !== state) throw new Error(`authorization did not return a code for our state: ${landed}`);
  const response = await exchangeCode(server, { clientId: client.client_id, redirectUri, code, verifier: pkce.verifier, resource: origin });
  if (!response.ok) throw new Error(`token exchange answered ${response.status}: ${(await response.text()).slice(0, 300)}`);
  return (await response.json()) as TokenResponse;
}
