import { expect } from "vitest";
import type { HeaderMap } from "../http.js";
import { mockSignIn } from "../oauth.js";
import {
  type AuthorizationServerMetadata,
  authorizationUrl,
  type Browse,
  type ClientRegistration,
  createPkce,
  discoverAuthorizationServer,
  type TokenResponse,
} from "../oauth-flow.js";
import { type OtlpReceiver, startOtlpReceiver } from "../otlp-receiver.js";
import type { AttackAuth, AttackOptions, AttackServer } from "./options.js";
import { bearer, CALLBACK, PROBE, PROBE_RESULT, PROTOCOL, type RateLimits, rateLimitsOf } from "./shared.js";

interface Authorized {
  code: string;
  verifier: string;
}

/**
 * What every area of the suite shares: the app under test, what the suite has seen of it, and the
 * requests it sends. Helpers are arrow properties so an area can destructure them.
 */
export class AttackContext {
  readonly auth: AttackAuth;
  readonly oauth: boolean;
  readonly browse: Browse;
  readonly limits: RateLimits;
  server: AttackServer | undefined;
  /** Where the app exports its spans while the suite runs. */
  receiver: OtlpReceiver | undefined;
  origin = "";
  /** Headers that authenticate the normal call (empty on a public app). */
  credentials: HeaderMap = {};
  /** Every secret the suite saw or was given; none may appear in a log line or an error body. */
  readonly secrets = new Set<string>();
  /** Secrets a page legitimately shows its own browser (the consent handle): kept out of logs only. */
  readonly logOnlySecrets = new Set<string>();
  /** Bodies of every response the suite read that must carry no secret and no stack trace. */
  readonly bodies: Array<{ what: string; body: string }> = [];
  readonly options: AttackOptions;
  #authServer: AuthorizationServerMetadata | undefined;

  constructor(options: AttackOptions) {
    const { auth } = options;
    this.options = options;
    this.auth = auth;
    this.oauth = auth.style === "oauth";
    this.browse = (auth.style === "oauth" && auth.browse) || ((url) => mockSignIn(url));
    this.limits = rateLimitsOf(options.wranglerConfig);
  }

  /** The app's authorization server, discovered when the suite starts (OAuth apps only). */
  get authServer(): AuthorizationServerMetadata {
    if (!this.#authServer) throw new Error("the authorization server is discovered when the suite starts, on OAuth apps only");
    return this.#authServer;
  }

  /** Starts the app and signs the suite's main client in. */
  readonly start = async (): Promise<void> => {
    this.receiver = await startOtlpReceiver();
    this.server = await this.options.start({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: this.receiver.url });
    this.origin = this.server.origin;
    if (this.auth.style === "oauth") {
      this.#authServer = await discoverAuthorizationServer(this.origin);
      this.credentials = bearer((await this.signedIn("attack suite main client")).tokens.access_token);
    } else if (this.auth.style === "bearer") {
      this.remember(this.auth.token, this.auth.unscopedToken, this.auth.rateLimitToken);
      this.credentials = bearer(this.auth.token);
    }
  };

  readonly remember = (...values: Array<string | undefined | null>): void => {
    for (const value of values) if (value && value.length >= 8) this.secrets.add(value);
  };

  /** A request the suite makes, with the response body read once and kept for the secrets check. */
  readonly send = async (what: string, url: string | URL, init: RequestInit = {}): Promise<{ response: Response; body: string }> => {
    const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(15_000), ...init });
    const body = await response.text();
    this.bodies.push({ what, body });
    return { response, body };
  };

  readonly mcpPost = (body: unknown, headers: HeaderMap = {}, path = "/mcp") =>
    this.send(`POST ${path}`, `${this.origin}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  readonly callTool = (name: string, args: unknown, headers: HeaderMap = this.credentials) =>
    this.mcpPost(
      { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } },
      { ...headers, "MCP-Protocol-Version": PROTOCOL },
    );

  /** The same call on the 2026-07-28 era: no session, the era named in `_meta` and the headers. */
  readonly callToolModern = (params: { name: unknown; arguments?: unknown }, headers: HeaderMap) =>
    this.mcpPost(
      {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: {
          ...params,
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": { name: "attack", version: "1.0.0" },
          },
        },
      },
      { ...headers, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": String(params.name) },
    );

  /** The normal call, answered exactly. */
  readonly expectNormalCall = async (headers: HeaderMap = this.credentials): Promise<void> => {
    const { response, body } = await this.callTool(PROBE.name, PROBE.arguments, headers);
    expect(response.status, body).toBe(200);
    expect(JSON.parse(body)).toEqual({ jsonrpc: "2.0", id: 7, result: PROBE_RESULT });
  };

  // --- OAuth helpers (OAuth apps only) ---

  readonly register = async (name: string, redirectUris = [CALLBACK], extra: Record<string, unknown> = {}): Promise<ClientRegistration> => {
    const { response, body } = await this.send("POST /register", this.authServer.registration_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        client_name: name,
        redirect_uris: redirectUris,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
        ...extra,
      }),
    });
    expect(response.status, body).toBe(201);
    this.bodies.pop();
    const registration = JSON.parse(body) as ClientRegistration & { client_secret?: string };
    this.remember(registration.client_secret);
    return registration;
  };

  /** Plays the user through sign-in and consent for `client`; returns the code and its PKCE verifier. */
  readonly authorize = async (client: ClientRegistration, extra: { scope?: string; redirectUri?: string } = {}): Promise<Authorized> => {
    const pkce = createPkce();
    const url = authorizationUrl(this.authServer, {
      clientId: client.client_id,
      redirectUri: extra.redirectUri ?? CALLBACK,
      state: "attack-state",
      codeChallenge: pkce.challenge,
      resource: this.origin,
      ...(extra.scope !== undefined && { scope: extra.scope }),
    });
    const landed = await this.browse(url);
    const code = landed.searchParams.get("code");
    if (!code) throw new Error(`authorization ended without a code: ${landed}`);
    this.remember(code, pkce.verifier);
    return { code, verifier: pkce.verifier };
  };

  readonly tokenRequest = (what: string, form: Record<string, string>, headers: HeaderMap = {}) =>
    this.send(`POST /token (${what})`, this.authServer.token_endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form),
    });

  readonly exchange = (client: ClientRegistration, code: string, verifier: string, extra: Record<string, string> = {}) =>
    this.tokenRequest("authorization_code", {
      grant_type: "authorization_code",
      code,
      redirect_uri: CALLBACK,
      client_id: client.client_id,
      code_verifier: verifier,
      resource: this.origin,
      ...extra,
    });

  /** A token response that succeeded; its tokens are remembered as secrets (and its body is not a leak). */
  readonly tokensFrom = ({ response, body }: { response: Response; body: string }): TokenResponse => {
    expect(response.status, body).toBe(200);
    this.bodies.pop();
    const tokens = JSON.parse(body) as TokenResponse;
    this.remember(tokens.access_token, tokens.refresh_token);
    return tokens;
  };

  /** A fresh client, signed in: its own grant, so no other case's sign-in revokes it. */
  readonly signedIn = async (name: string, scope?: string): Promise<{ client: ClientRegistration; tokens: TokenResponse }> => {
    const client = await this.register(name);
    const { code, verifier } = await this.authorize(client, scope === undefined ? {} : { scope });
    return { client, tokens: this.tokensFrom(await this.exchange(client, code, verifier)) };
  };
}
