import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connectSdkClient } from "./clients.js";
import { printServerLogOnFailure } from "./failures.js";
import { challengeParam, type HeaderMap, initializeRequest } from "./http.js";
import { loggedRequests } from "./logs.js";
import { cookieHeader, mockSignIn, TestOAuthProvider } from "./oauth.js";
import {
  type AuthorizationServerMetadata,
  authorizationUrl,
  type Browse,
  type ClientRegistration,
  createPkce,
  discoverAuthorizationServer,
  type TokenResponse,
} from "./oauth-flow.js";

/**
 * The attack suite: what a hostile or broken client can send an app, each case with its exact
 * outcome, run against the real app. Cases that do not apply to an app's auth style are still
 * tests, named "(not applicable: ...)", asserting what the app does instead.
 */

/** How the app under test authenticates, and what the suite needs to attack it. */
export type AttackAuth =
  | { style: "public" }
  /** Its own OAuth server; `browse` plays the user (default: the mock sign-in page). */
  | { style: "oauth"; browse?: Browse }
  | {
      style: "bearer";
      /** A credential allowed to call every tool. */
      token: string;
      /** A valid credential without the tools scope. */
      unscopedToken: string;
      /** A valid credential used only by the rate-limit case, so its counter starts at zero. */
      rateLimitToken: string;
    };

/** A running app: DevServer from startDevServer() fits. */
export interface AttackServer {
  origin: string;
  logs(): string;
  stop(): Promise<void>;
  /** Stops and starts the app on the same port and state (durability case). */
  restart(): Promise<unknown>;
}

export interface AttackOptions {
  /** Names the describe block, e.g. the app's package name. */
  name: string;
  /** Starts the app once for the whole suite, with fresh state; stopped after it. */
  start: () => Promise<AttackServer>;
  auth: AttackAuth;
  /** The app's wrangler.jsonc, whose `ratelimits` are the limits the rate-limit cases prove. */
  wranglerConfig: URL;
  /** Secrets the app was configured with (client secrets, upstream tokens), never to be shown or logged. */
  secrets?: () => readonly string[];
}

/** Nothing listens here: authorization redirects are read from the Location header, never followed. */
const CALLBACK = "http://127.0.0.1:65504/callback";
/** An https redirect URI, held to exact matching (loopback ones may change port, RFC 8252 §7.3). */
const HTTPS_CALLBACK = "https://client.example/cb";
const TOOLS_SCOPE = "mcp:tools";
const PROTOCOL = "2025-11-25";
/** How long a refused oversized body may take to be answered. */
const TOO_LARGE_DEADLINE_MS = 1000;
const MAX_BODY_BYTES = 1024 * 1024;

/** The normal call every case is followed by, with its exact answer. */
const PROBE = { name: "add", arguments: { a: 1, b: 2 } };
const PROBE_RESULT = { content: [{ type: "text", text: "1 + 2 = 3" }], structuredContent: { result: 3 } };

/** Test IPs (RFC 5737) for the rate-limit cases, one per counter, so no other case shares it. */
const RATE_LIMIT_IPS = { mcp: "198.51.100.1", register: "198.51.100.2", token: "198.51.100.3", authorize: "198.51.100.4" };

type RateLimits = { mcp?: number; oauth?: number };

/** Strips `//` and `/* *\/` comments outside strings, so a wrangler.jsonc parses as JSON. */
export function parseJsonc(text: string): unknown {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      out += text.slice(i, end + 1);
      i = end;
    } else if (char === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (char === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 1;
    } else {
      out += char;
    }
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

/** The limits of the app's MCP and OAuth rate-limit bindings, as configured at the top level. */
function rateLimitsOf(config: URL): RateLimits {
  const parsed = parseJsonc(readFileSync(config, "utf8")) as { ratelimits?: Array<{ name: string; simple: { limit: number } }> };
  const limit = (name: string) => parsed.ratelimits?.find((binding) => binding.name === name)?.simple.limit;
  return { mcp: limit("MCP_RATE_LIMITER"), oauth: limit("OAUTH_RATE_LIMITER") };
}

const notApplicable = (auth: AttackAuth) =>
  auth.style === "public" ? "public app: no credentials at all" : "bearer app: tokens are issued out of band, no authorization server";

/** What the chunked-body case sends: just past the server's limit, and then nothing more. */
const CHUNKED_BYTES = MAX_BODY_BYTES + 64 * 1024;

/**
 * POSTs a chunked body (no Content-Length) of CHUNKED_BYTES and keeps the request open, never
 * sending the final chunk: only a server that stops reading at its limit can answer. node:http
 * rather than fetch, so the answer is read while the request is still unfinished.
 */
function postUnfinishedChunked(url: string, headers: HeaderMap): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: { ...headers, "Transfer-Encoding": "chunked" }, timeout: 10_000 });
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      const parts: Buffer[] = [];
      response.on("data", (part: Buffer) => parts.push(part));
      response.on("end", () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(parts).toString("utf8") });
      });
    });
    request.on("timeout", () => request.destroy(new Error("no answer within 10 s to an unfinished body")));
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    request.write(Buffer.alloc(CHUNKED_BYTES, "x"));
  });
}

/**
 * Registers the attack suite for one app: OAuth abuse, resource-endpoint credentials, transport
 * abuse, scopes, rate limits, secrets in bodies and logs, and a restart in the middle of a client's
 * work. Every case ends with the app still answering a normal call.
 */
export function attackSuite(options: AttackOptions): void {
  const { auth } = options;
  const oauth = auth.style === "oauth";
  const browse: Browse = (auth.style === "oauth" && auth.browse) || ((url) => mockSignIn(url));
  const limits = rateLimitsOf(options.wranglerConfig);

  describe(`${options.name}: attack suite`, () => {
    let server: AttackServer | undefined;
    let origin = "";
    let authServer: AuthorizationServerMetadata;
    /** Headers that authenticate the normal call (empty on a public app). */
    let credentials: HeaderMap = {};
    /** Every secret the suite saw or was given; none may appear in a log line or an error body. */
    const secrets = new Set<string>();
    /** Secrets a page legitimately shows its own browser (the consent handle): kept out of logs only. */
    const logOnlySecrets = new Set<string>();
    /** Bodies of every response the suite read that must carry no secret and no stack trace. */
    const bodies: Array<{ what: string; body: string }> = [];
    const remember = (...values: Array<string | undefined | null>) => {
      for (const value of values) if (value && value.length >= 8) secrets.add(value);
    };

    /** A request the suite makes, with the response body read once and kept for the secrets check. */
    async function send(what: string, url: string | URL, init: RequestInit = {}): Promise<{ response: Response; body: string }> {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(15_000), ...init });
      const body = await response.text();
      bodies.push({ what, body });
      return { response, body };
    }

    const mcpPost = (body: unknown, headers: HeaderMap = {}, path = "/mcp") =>
      send(`POST ${path}`, `${origin}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });

    const callTool = (name: string, args: unknown, headers: HeaderMap = credentials) =>
      mcpPost(
        { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } },
        { ...headers, "MCP-Protocol-Version": PROTOCOL },
      );

    // --- OAuth helpers (OAuth apps only) ---

    async function register(name: string, redirectUris = [CALLBACK], extra: Record<string, unknown> = {}): Promise<ClientRegistration> {
      const { response, body } = await send("POST /register", authServer.registration_endpoint, {
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
      bodies.pop();
      const registration = JSON.parse(body) as ClientRegistration & { client_secret?: string };
      remember(registration.client_secret);
      return registration;
    }

    interface Authorized {
      code: string;
      verifier: string;
    }

    /** Plays the user through sign-in and consent for `client`; returns the code and its PKCE verifier. */
    async function authorize(client: ClientRegistration, extra: { scope?: string; redirectUri?: string } = {}): Promise<Authorized> {
      const pkce = createPkce();
      const url = authorizationUrl(authServer, {
        clientId: client.client_id,
        redirectUri: extra.redirectUri ?? CALLBACK,
        state: "attack-state",
        codeChallenge: pkce.challenge,
        resource: origin,
        ...(extra.scope !== undefined && { scope: extra.scope }),
      });
      const landed = await browse(url);
      const code = landed.searchParams.get("code");
      if (!code) throw new Error(`authorization ended without a code: ${landed}`);
      remember(code, pkce.verifier);
      return { code, verifier: pkce.verifier };
    }

    const tokenRequest = (what: string, form: Record<string, string>, headers: HeaderMap = {}) =>
      send(`POST /token (${what})`, authServer.token_endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(form),
      });

    const exchange = (client: ClientRegistration, code: string, verifier: string, extra: Record<string, string> = {}) =>
      tokenRequest("authorization_code", {
        grant_type: "authorization_code",
        code,
        redirect_uri: CALLBACK,
        client_id: client.client_id,
        code_verifier: verifier,
        resource: origin,
        ...extra,
      });

    /** A token response that succeeded; its tokens are remembered as secrets (and its body is not a leak). */
    function tokensFrom({ response, body }: { response: Response; body: string }): TokenResponse {
      expect(response.status, body).toBe(200);
      bodies.pop();
      const tokens = JSON.parse(body) as TokenResponse;
      remember(tokens.access_token, tokens.refresh_token);
      return tokens;
    }

    /** A fresh client, signed in: its own grant, so no other case's sign-in revokes it. */
    async function signedIn(name: string, scope?: string): Promise<{ client: ClientRegistration; tokens: TokenResponse }> {
      const client = await register(name);
      const { code, verifier } = await authorize(client, scope === undefined ? {} : { scope });
      return { client, tokens: tokensFrom(await exchange(client, code, verifier)) };
    }

    const bearer = (token: string): HeaderMap => ({ Authorization: `Bearer ${token}` });

    /** The normal call, answered exactly. */
    async function expectNormalCall(headers: HeaderMap = credentials): Promise<void> {
      const { response, body } = await callTool(PROBE.name, PROBE.arguments, headers);
      expect(response.status, body).toBe(200);
      expect(JSON.parse(body)).toEqual({ jsonrpc: "2.0", id: 7, result: PROBE_RESULT });
    }

    beforeAll(async () => {
      server = await options.start();
      origin = server.origin;
      if (auth.style === "oauth") {
        authServer = await discoverAuthorizationServer(origin);
        credentials = bearer((await signedIn("attack suite main client")).tokens.access_token);
      } else if (auth.style === "bearer") {
        remember(auth.token, auth.unscopedToken, auth.rateLimitToken);
        credentials = bearer(auth.token);
      }
    });
    afterAll(async () => {
      await server?.stop();
    });
    printServerLogOnFailure(() => server);
    afterEach(async () => {
      // Whatever the case sent, the app still serves a normal call.
      if (server) await expectNormalCall();
    });

    // --- OAuth: the authorization endpoint and registration ---

    describe("OAuth authorization endpoint and client registration", () => {
      if (!oauth) {
        it(`/authorize, /token, /register and the authorization server metadata are 404 (not applicable: ${notApplicable(auth)})`, async () => {
          for (const path of ["/authorize", "/token", "/register", "/.well-known/oauth-authorization-server"]) {
            const { response } = await send(`GET ${path}`, `${origin}${path}`);
            expect(response.status, path).toBe(404);
          }
        });
        return;
      }

      let client: ClientRegistration;
      beforeAll(async () => {
        client = await register("redirect probe", [HTTPS_CALLBACK, CALLBACK]);
      });

      const authorizeAt = (redirectUri: string, clientId = client.client_id) =>
        authorizationUrl(authServer, {
          clientId,
          redirectUri,
          state: "s-redirect",
          codeChallenge: createPkce().challenge,
          resource: origin,
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
        const { response, body } = await send("POST /register", authServer.registration_endpoint, {
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
        const url = authorizationUrl(authServer, { clientId: client.client_id, redirectUri: CALLBACK, state: "s3", resource: origin });
        expect(await errorRedirect(url)).toEqual({
          error: "invalid_request",
          error_description: "Public clients must use PKCE with the authorization code flow.",
          state: "s3",
          iss: origin,
        });
      });

      it("code_challenge_method=plain: an error redirect with invalid_request, no code", async () => {
        const pkce = createPkce();
        const url = authorizationUrl(authServer, {
          clientId: client.client_id,
          redirectUri: CALLBACK,
          state: "s4",
          codeChallenge: pkce.verifier,
          codeChallengeMethod: "plain",
          resource: origin,
        });
        expect(await errorRedirect(url)).toEqual({
          error: "invalid_request",
          error_description: "The plain PKCE method is not allowed. Use S256 instead.",
          state: "s4",
          iss: origin,
        });
      });

      it.each([
        ["another server", "https://attacker.example"],
        ["this server under another host name (localhost vs 127.0.0.1)", "LOCALHOST"],
      ])("resource naming %s: an error redirect with invalid_target, no code", async (_, resource) => {
        const url = authorizationUrl(authServer, {
          clientId: client.client_id,
          redirectUri: CALLBACK,
          state: "s5",
          codeChallenge: createPkce().challenge,
          resource: resource === "LOCALHOST" ? origin.replace("127.0.0.1", "localhost") : resource,
        });
        expect(await errorRedirect(url)).toEqual({
          error: "invalid_target",
          error_description: "The resource parameter must name exactly one configured protected resource",
          state: "s5",
          iss: origin,
        });
      });
    });

    // --- OAuth: the consent page ---

    describe("OAuth consent page", () => {
      if (!oauth) {
        it(`the consent page does not exist: GET /authorize is 404 (not applicable: ${notApplicable(auth)})`, async () => {
          expect((await send("GET /authorize", `${origin}/authorize?client_id=x`)).response.status).toBe(404);
        });
        return;
      }
      const MARKUP_NAME = `<img src=x onerror=alert(1)>"'&<script>alert(2)</script>`;
      let client: ClientRegistration;
      beforeAll(async () => {
        client = await register(MARKUP_NAME);
      });

      /** Opens the consent page as a browser would: the page, its handle and its binding cookie. */
      async function consentPage() {
        const url = authorizationUrl(authServer, {
          clientId: client.client_id,
          redirectUri: CALLBACK,
          state: "s-consent",
          codeChallenge: createPkce().challenge,
          resource: origin,
        });
        const { response, body } = await send("GET /authorize (consent page)", url);
        expect(response.status).toBe(200);
        const handle = /name="handle" value="([^"]+)"/.exec(body)?.[1] as string;
        expect(handle).toBeTruthy();
        logOnlySecrets.add(handle);
        return { url, response, body, handle, cookie: cookieHeader(response) };
      }

      const post = (url: URL, form: Record<string, string>, headers: HeaderMap) =>
        send("POST /authorize (consent)", url, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
          body: new URLSearchParams({ email: "ada@example.com", password: "correct horse", ...form }),
        });

      it("shows a client name with markup escaped, never as markup", async () => {
        const { body } = await consentPage();
        expect(/<strong id="client-name">([^<]*)<\/strong>/.exec(body)?.[1]).toBe(
          "&#60;img src=x onerror=alert(1)&#62;&#34;&#39;&#38;&#60;script&#62;alert(2)&#60;/script&#62;",
        );
        expect(body).not.toContain("<img src=x");
        expect(body).not.toContain("<script>");
      });

      it("refuses to be framed (CSP frame-ancestors 'none', X-Frame-Options DENY) and is not cached", async () => {
        const { response } = await consentPage();
        expect(response.headers.get("content-security-policy")).toMatch(/(^|;\s*)frame-ancestors 'none'(;|$)/);
        expect(response.headers.get("x-frame-options")).toBe("DENY");
        expect(response.headers.get("cache-control")).toBe("no-store");
      });

      it("a consent POST without its CSRF token (the handle): 400, no redirect", async () => {
        const { url, cookie } = await consentPage();
        const { response, body } = await post(url, { decision: "approve" }, { Cookie: cookie, Origin: origin });
        expect(response.status).toBe(400);
        expect(response.headers.get("location")).toBeNull();
        expect(body).toContain("The consent form was missing its decision or its security token.");
      });

      it("a consent POST from another browser (no binding cookie): 400, no redirect", async () => {
        const { url, handle } = await consentPage();
        const { response, body } = await post(url, { handle, decision: "approve" }, { Origin: origin });
        expect(response.status).toBe(400);
        expect(response.headers.get("location")).toBeNull();
        expect(body).toContain("This authorization was not started in this browser; start again");
      });

      it.each([
        ["another site", { Origin: "https://attacker.example", "Sec-Fetch-Site": "cross-site" }],
        ["a sandboxed frame (Origin: null)", { Origin: "null", "Sec-Fetch-Site": "cross-site" }],
        ["a sibling subdomain", { Origin: "https://sibling.127.0.0.1.example", "Sec-Fetch-Site": "same-site" }],
        ["another site, from a browser without Sec-Fetch-Site", { Origin: "https://attacker.example" }],
      ])("a cross-site consent POST (%s), even with the cookie and handle: 403, no redirect", async (_, headers) => {
        const { url, cookie, handle } = await consentPage();
        const { response, body } = await post(url, { handle, decision: "approve" }, { Cookie: cookie, ...headers });
        expect(response.status).toBe(403);
        expect(response.headers.get("location")).toBeNull();
        expect(body).toContain("This consent form was posted from another site.");
        // The handle was not spent: the real page can still complete.
        const { response: real } = await post(url, { handle, decision: "deny" }, { Cookie: cookie, Origin: origin });
        expect(real.status).toBe(302);
      });

      it("a replayed consent POST: the first (sent as a browser sends it) is honoured, the replay is 400 with no redirect", async () => {
        const { url, cookie, handle } = await consentPage();
        // Under the page's Referrer-Policy: no-referrer, Chromium sends its own form's POST with Origin: null.
        const browser = { Cookie: cookie, Origin: "null", "Sec-Fetch-Site": "same-origin" };
        const first = await post(url, { handle, decision: "approve" }, browser);
        expect(first.response.status).toBe(302);
        remember(new URL(first.response.headers.get("location") as string).searchParams.get("code"));
        const replay = await post(url, { handle, decision: "approve" }, browser);
        expect(replay.response.status).toBe(400);
        expect(replay.response.headers.get("location")).toBeNull();
        expect(replay.body).toContain("This authorization expired or was already used; start again");
      });
    });

    // --- OAuth: the token endpoint ---

    describe("OAuth token endpoint", () => {
      if (!oauth) {
        it(`POST /token is 404 (not applicable: ${notApplicable(auth)})`, async () => {
          const { response } = await send("POST /token", `${origin}/token`, { method: "POST", body: "grant_type=refresh_token" });
          expect(response.status).toBe(404);
        });
        return;
      }
      const oauthError = (body: string) => JSON.parse(body) as { error: string; error_description?: string };

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
        const refresh = await tokenRequest("refresh after replay", {
          grant_type: "refresh_token",
          refresh_token: tokens.refresh_token as string,
          client_id: client.client_id,
        });
        expect(refresh.response.status).toBe(400);
        expect(oauthError(refresh.body).error).toBe("invalid_grant");
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
        const refresh = (client: ClientRegistration, refreshToken: string, extra: Record<string, string> = {}) =>
          tokenRequest("refresh_token", {
            grant_type: "refresh_token",
            refresh_token: refreshToken,
            client_id: client.client_id,
            ...extra,
          });

        it("reuse after rotation: the replaced token works until its successor is used, then 400 invalid_grant", async () => {
          const { client, tokens } = await signedIn("refresh rotation");
          const first = tokensFrom(await refresh(client, tokens.refresh_token as string));
          expect(first.refresh_token).not.toBe(tokens.refresh_token);
          // workers-oauth-provider keeps the previous refresh token valid until the new one is used
          // (a client that lost the response can retry); SECURITY.md documents this.
          const retry = tokensFrom(await refresh(client, tokens.refresh_token as string));
          const second = tokensFrom(await refresh(client, retry.refresh_token as string));
          const reuse = await refresh(client, tokens.refresh_token as string);
          expect(reuse.response.status).toBe(400);
          expect(oauthError(reuse.body)).toEqual({ error: "invalid_grant", error_description: "Invalid refresh token" });
          await expectNormalCall(bearer(second.access_token));
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
        const refreshed = tokensFrom(
          await tokenRequest("refresh after access revocation", {
            grant_type: "refresh_token",
            refresh_token: tokens.refresh_token as string,
            client_id: client.client_id,
          }),
        );
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
        const refresh = await tokenRequest("refresh after revocation", {
          grant_type: "refresh_token",
          refresh_token: tokens.refresh_token as string,
          client_id: client.client_id,
        });
        expect(refresh.response.status).toBe(400);
        expect(oauthError(refresh.body).error).toBe("invalid_grant");
      });
    });

    // --- The resource endpoint: credentials ---

    describe("resource endpoint (/mcp, /sse): credentials", () => {
      const metadata = () => `${origin}/.well-known/oauth-protected-resource`;
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
          const token = (credentials.Authorization as string).slice("Bearer ".length);
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
          const target = oauth ? origin.replace("127.0.0.1", "localhost") : origin;
          const headers = oauth ? credentials : bearer("mcpk_demo_laptop_pzfv_lhzupmRfsxfgKdda37m");
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
          bodies.push({ what: "cross-resource", body: await response.text() });
          expect(response.status).toBe(401);
          expect(challengeParam(response.headers.get("www-authenticate"), "error")).toBe("invalid_token");
        },
      );
    });

    // --- Scopes ---

    describe("scopes", () => {
      it(`every tool requires ${TOOLS_SCOPE}, and the app advertises it in scopes_supported`, async () => {
        if (auth.style === "public") {
          const { response } = await send("GET metadata", `${origin}/.well-known/oauth-protected-resource`);
          expect(response.status).toBe(404);
          return;
        }
        const { body } = await send("GET metadata", `${origin}/.well-known/oauth-protected-resource`);
        expect((JSON.parse(body) as { scopes_supported?: string[] }).scopes_supported).toContain(TOOLS_SCOPE);
        if (oauth) expect((authServer as unknown as { scopes_supported: string[] }).scopes_supported).toContain(TOOLS_SCOPE);
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
            : bearer((await signedIn("narrow scope", "offline_access")).tokens.access_token);
      });

      it(`a tools/call without ${TOOLS_SCOPE} on /mcp: HTTP 403 insufficient_scope naming the scope`, async () => {
        const { response, body } = await callTool(PROBE.name, PROBE.arguments, limited);
        expect(response.status).toBe(403);
        const header = response.headers.get("www-authenticate");
        expect(header).toMatch(/^Bearer /);
        expect(challengeParam(header, "error")).toBe("insufficient_scope");
        expect(challengeParam(header, "scope")).toBe(TOOLS_SCOPE);
        expect(challengeParam(header, "resource_metadata")).toBe(`${origin}/.well-known/oauth-protected-resource`);
        expect(JSON.parse(body)).toEqual({ error: "insufficient_scope", error_description: "Insufficient scope" });
      });

      it(`the same call on the 2026-07-28 era: HTTP 403 insufficient_scope`, async () => {
        const { response } = await mcpPost(
          {
            jsonrpc: "2.0",
            id: 7,
            method: "tools/call",
            params: {
              ...PROBE,
              _meta: {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
                "io.modelcontextprotocol/clientInfo": { name: "attack", version: "1.0.0" },
              },
            },
          },
          { ...limited, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": PROBE.name },
        );
        expect(response.status).toBe(403);
        expect(challengeParam(response.headers.get("www-authenticate"), "scope")).toBe(TOOLS_SCOPE);
      });

      it("the same call over legacy SSE: HTTP 403 insufficient_scope on the POST, nothing reaches the session", async () => {
        const client = await connectSdkClient(`${origin}/sse`, "sse", undefined, limited);
        try {
          const endpoint = (client.transport as unknown as { _endpoint: URL })._endpoint;
          const { response, body } = await mcpPost(
            { jsonrpc: "2.0", id: 11, method: "tools/call", params: PROBE },
            limited,
            `${endpoint.pathname}${endpoint.search}`,
          );
          expect(response.status).toBe(403);
          expect(response.headers.get("www-authenticate")).toBe(
            `Bearer error="insufficient_scope", scope="${TOOLS_SCOPE}", resource_metadata="${origin}/.well-known/oauth-protected-resource"`,
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

      it("a credential without the scope may still list the tools (discovery needs no scope)", async () => {
        const { response, body } = await mcpPost(
          { jsonrpc: "2.0", id: 3, method: "tools/list" },
          { ...limited, "MCP-Protocol-Version": PROTOCOL },
        );
        expect(response.status).toBe(200);
        expect((JSON.parse(body) as { result: { tools: unknown[] } }).result.tools.length).toBeGreaterThan(0);
      });
    });

    // --- Transport abuse ---

    describe("transport abuse on /mcp and /sse", () => {
      const version = { "MCP-Protocol-Version": PROTOCOL };
      const error = (body: string) => JSON.parse(body) as { id: unknown; error: { code: number; message: string } };

      // POST /mcp and GET /sse from a foreign Origin and from Origin: null are the shared contract's cases.
      it.each([
        ["POST /sse/message", "from a foreign Origin", "https://attacker.example"],
        ["POST /sse/message", "from Origin: null", "null"],
        ["POST /sse/message", "from a rebinding name that looks like loopback", "http://127.0.0.1.nip.io"],
        ["POST /mcp", "from a rebinding name that looks like loopback", "http://127.0.0.1.nip.io"],
        ["GET /sse", "from a rebinding name that looks like loopback", "http://127.0.0.1.nip.io"],
      ])("%s %s: 403 before authentication is looked at", async (what, _, value) => {
        const headers = { ...credentials, Origin: value };
        const { response, body } =
          what === "GET /sse"
            ? await send("GET /sse", `${origin}/sse`, { headers: { ...headers, Accept: "text/event-stream" } })
            : await mcpPost(initializeRequest, headers, what === "POST /mcp" ? "/mcp" : "/sse/message?sessionId=x");
        expect(response.status).toBe(403);
        expect(JSON.parse(body)).toEqual({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32000, message: "Forbidden: this Origin may not call the MCP endpoint" },
        });
      });

      it("malformed JSON: 400, -32700 with id null", async () => {
        const { response, body } = await mcpPost('{"jsonrpc":"2.0","id":1,"method":"tools/list"', { ...credentials, ...version });
        expect(response.status).toBe(400);
        expect(JSON.parse(body)).toEqual({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32700, message: "Parse error: the request body is not valid JSON" },
        });
      });

      it.each([
        ["an object that is not JSON-RPC", { hello: "world" }],
        ["a JSON string", "hello"],
        ["null", null],
        ["jsonrpc 1.0", { jsonrpc: "1.0", id: 1, method: "ping" }],
        ["an object as id", { jsonrpc: "2.0", id: { a: 1 }, method: "ping" }],
      ])("valid JSON that is not a JSON-RPC request (%s): 400, -32600", async (_, value) => {
        const { response, body } = await mcpPost(JSON.stringify(value), { ...credentials, ...version });
        expect(response.status).toBe(400);
        expect(error(body).error.code).toBe(-32600);
      });

      it("a non-JSON content type: 415, -32600", async () => {
        const { response, body } = await send("POST /mcp text/plain", `${origin}/mcp`, {
          method: "POST",
          headers: { ...credentials, "Content-Type": "text/plain", Accept: "application/json, text/event-stream" },
          body: JSON.stringify(initializeRequest),
        });
        expect(response.status).toBe(415);
        expect(error(body).error.code).toBe(-32600);
      });

      it(`a declared 8 MiB body: 413 in under ${TOO_LARGE_DEADLINE_MS} ms, never parsed`, async () => {
        // workerd drains an unread body before it answers, so the whole body is sent; it is never buffered or parsed.
        const huge = JSON.stringify({
          ...initializeRequest,
          params: { ...initializeRequest.params, padding: "x".repeat(8 * MAX_BODY_BYTES) },
        });
        const started = performance.now();
        const { response, body } = await mcpPost(huge, credentials);
        const elapsed = performance.now() - started;
        expect(response.status).toBe(413);
        expect(JSON.parse(body)).toMatchObject({ error: { code: -32600, message: "Payload Too Large: the body exceeds 1048576 bytes" } });
        expect(elapsed).toBeLessThan(TOO_LARGE_DEADLINE_MS);
      });

      it(`an undeclared (chunked) body just past 1 MiB that never ends: 413 in under ${TOO_LARGE_DEADLINE_MS} ms`, async () => {
        const started = performance.now();
        const { status, body } = await postUnfinishedChunked(`${origin}/mcp`, { ...credentials, "Content-Type": "application/json" });
        const elapsed = performance.now() - started;
        bodies.push({ what: "huge chunked body", body });
        expect(status).toBe(413);
        expect(JSON.parse(body)).toMatchObject({ error: { code: -32600, message: "Payload Too Large: the body exceeds 1048576 bytes" } });
        expect(elapsed).toBeLessThan(TOO_LARGE_DEADLINE_MS);
      });

      it("a batch of 10,000 requests: 400 -32600 at once, nothing executed", async () => {
        const batch = Array.from({ length: 10_000 }, (_, id) => ({ jsonrpc: "2.0", id, method: "tools/call", params: PROBE }));
        const started = performance.now();
        const { response, body } = await mcpPost(batch, { ...credentials, ...version });
        expect(response.status).toBe(400);
        expect(JSON.parse(body)).toEqual({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32600, message: "Invalid Request: Batch must not exceed 100 messages" },
        });
        expect(performance.now() - started).toBeLessThan(2000);
      });

      it.each([
        ["an empty batch", "[]", "Bad Request: empty JSON-RPC batch"],
        ["nested arrays", "[[[[[[[[]]]]]]]]", "Bad Request: JSON-RPC batch contains an invalid message"],
        [
          "a request inside a nested array",
          JSON.stringify([[{ jsonrpc: "2.0", id: 1, method: "ping" }]]),
          "Bad Request: JSON-RPC batch contains an invalid message",
        ],
      ])("%s: 400 -32600", async (_, batch, message) => {
        const { response, body } = await mcpPost(batch, { ...credentials, ...version });
        expect(response.status).toBe(400);
        expect(JSON.parse(body)).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32600, message } });
      });

      it("deeply nested JSON (100,000 levels): a bounded 4xx answer, the isolate survives", async () => {
        const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
        const { response } = await mcpPost(deep, { ...credentials, ...version });
        expect([400, 413]).toContain(response.status);
      });

      it("an unknown method: -32601", async () => {
        const { response, body } = await mcpPost(
          { jsonrpc: "2.0", id: 3, method: "tools/explode", params: {} },
          { ...credentials, ...version },
        );
        expect(response.status).toBe(200);
        expect(JSON.parse(body)).toEqual({ jsonrpc: "2.0", id: 3, error: { code: -32601, message: "Method not found" } });
      });

      it("an unsupported MCP-Protocol-Version header: 400", async () => {
        const { response, body } = await mcpPost(
          { jsonrpc: "2.0", id: 3, method: "tools/list" },
          { ...credentials, "MCP-Protocol-Version": "1999-01-01" },
        );
        expect(response.status).toBe(400);
        expect(error(body).error.message).toContain("Unsupported protocol version: 1999-01-01");
      });

      it("an unknown session id: 404 -32001 on /mcp and on /sse/message", async () => {
        const mcp = await mcpPost(
          { jsonrpc: "2.0", id: 3, method: "tools/list" },
          { ...credentials, ...version, "Mcp-Session-Id": "attack-never-issued" },
        );
        expect(mcp.response.status).toBe(404);
        expect(error(mcp.body).error.code).toBe(-32001);
        const sse = await mcpPost(initializeRequest, credentials, "/sse/message?sessionId=attack-never-issued");
        expect(sse.response.status).toBe(404);
        expect(error(sse.body).error).toEqual({ code: -32001, message: "Session not found: open a new stream with GET /sse" });
      });

      it(
        auth.style === "public"
          ? "a message for another client's SSE session is accepted (not applicable: public app, anonymous callers cannot be told apart; the session id is an unguessable Durable Object id)"
          : "a message for another caller's SSE session (a guessed or leaked session id): 404, like a missing one",
        async () => {
          const owner = await connectSdkClient(`${origin}/sse`, "sse", undefined, credentials);
          try {
            const other =
              auth.style === "public"
                ? {}
                : auth.style === "bearer"
                  ? bearer(auth.unscopedToken)
                  : bearer((await signedIn("session thief")).tokens.access_token);
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
              expect(error(body).error.code).toBe(-32001);
            }
          } finally {
            await owner.close();
          }
        },
      );

      describe("tool arguments", () => {
        const validation = (detail: string) => ({
          jsonrpc: "2.0",
          id: 7,
          result: { isError: true, content: [{ type: "text", text: `Input validation error: Invalid arguments for tool add: ${detail}` }] },
        });
        it.each([
          ["a string for a number", { a: "1", b: 2 }, "a: Invalid input: expected number, received string"],
          ["1e309 (Infinity once parsed)", "INFINITY", "a: Invalid input: expected number, received Infinity"],
          ["a missing argument", { a: 1 }, "b: Invalid input: expected number, received undefined"],
          [
            "no arguments at all",
            undefined,
            "a: Invalid input: expected number, received undefined, b: Invalid input: expected number, received undefined",
          ],
          ["null for a number", { a: null, b: 2 }, "a: Invalid input: expected number, received null"],
        ])("%s: an isError result that says what is wrong", async (_, args, detail) => {
          const body =
            args === "INFINITY"
              ? '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":1e309,"b":1}}}'
              : { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: "add", ...(args !== undefined && { arguments: args }) } };
          const { response, body: text } = await mcpPost(body, { ...credentials, ...version });
          expect(response.status).toBe(200);
          expect(JSON.parse(text)).toEqual(validation(detail));
        });

        it("on the 2026-07-28 era too: a string for a number is an isError result, an unknown tool -32602", async () => {
          const modern = (params: Record<string, unknown>) =>
            mcpPost(
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
              { ...credentials, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": String(params.name) },
            );
          const invalid = await modern({ name: "add", arguments: { a: "1", b: 2 } });
          expect(invalid.response.status).toBe(200);
          expect(JSON.parse(invalid.body)).toEqual({
            jsonrpc: "2.0",
            id: 7,
            result: {
              ...validation("a: Invalid input: expected number, received string").result,
              resultType: "complete",
              _meta: expect.any(Object),
            },
          });
          const unknown = await modern({ name: "subtract_all", arguments: {} });
          expect(JSON.parse(unknown.body)).toEqual({
            jsonrpc: "2.0",
            id: 7,
            error: { code: -32602, message: "Tool subtract_all not found" },
          });
        });

        it("NaN (not JSON): 400, -32700", async () => {
          const { response, body } = await mcpPost(
            '{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add","arguments":{"a":NaN,"b":1}}}',
            { ...credentials, ...version },
          );
          expect(response.status).toBe(400);
          expect(error(body).error.code).toBe(-32700);
        });

        it.each([
          ["arguments as an array", { name: "add", arguments: [1, 2] }],
          ["a tool name that is a number", { name: 5, arguments: {} }],
          ["an unknown tool", { name: "subtract_all", arguments: {} }],
        ])("%s: JSON-RPC error -32602", async (_, params) => {
          const { response, body } = await mcpPost({ jsonrpc: "2.0", id: 7, method: "tools/call", params }, { ...credentials, ...version });
          expect(response.status).toBe(200);
          expect(error(body).error.code).toBe(-32602);
        });
      });
    });

    // --- Rate limits ---

    describe("rate limits", () => {
      const window = () => Math.floor(Date.now() / 60_000);

      /**
       * Sends `count` requests, 16 at a time, and returns their statuses, the first 429 and its body.
       * Windows are 60 s and aligned to the clock: when one ends during the burst, the burst is run
       * once more with a fresh key (`attempt` 1), so the count stays exact without waiting.
       */
      async function burst(count: number, request: (attempt: number) => Promise<Response>) {
        for (let attempt = 0; ; attempt++) {
          const started = window();
          const statuses: number[] = [];
          let refused: { response: Response; body: string } | undefined;
          for (let sent = 0; sent < count; sent += 16) {
            const responses = await Promise.all(Array.from({ length: Math.min(16, count - sent) }, () => request(attempt)));
            for (const response of responses) {
              statuses.push(response.status);
              const body = await response.text();
              if (response.status === 429 && !refused) {
                refused = { response, body };
                bodies.push({ what: "429", body });
              }
            }
          }
          if (window() === started || attempt === 1) return { statuses, refused };
        }
      }

      it(`MCP calls: ${limits.mcp ?? "no"} per minute per ${auth.style === "public" ? "client IP" : "client and user"}, then 429 with Retry-After; others unaffected`, async () => {
        expect(limits.mcp, "wrangler.jsonc binds MCP_RATE_LIMITER").toBeGreaterThan(0);
        const limit = limits.mcp as number;
        const callers: HeaderMap[] = [];
        for (const attempt of [0, 1]) {
          callers[attempt] =
            auth.style === "public"
              ? { "CF-Connecting-IP": `${RATE_LIMIT_IPS.mcp}${attempt}` }
              : auth.style === "bearer"
                ? bearer(attempt === 0 ? auth.rateLimitToken : auth.unscopedToken)
                : bearer((await signedIn(`rate limited client ${attempt}`)).tokens.access_token);
        }
        const { statuses, refused } = await burst(limit + 3, (attempt) =>
          fetch(`${origin}/mcp`, {
            method: "POST",
            headers: {
              ...callers[attempt],
              "Content-Type": "application/json",
              Accept: "application/json, text/event-stream",
              "MCP-Protocol-Version": PROTOCOL,
            },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
          }),
        );
        expect(statuses.filter((status) => status === 200)).toHaveLength(limit);
        expect(statuses.filter((status) => status === 429)).toHaveLength(3);
        expect(refused?.response.headers.get("retry-after")).toBe("60");
        expect(JSON.parse(refused?.body ?? "")).toEqual({
          jsonrpc: "2.0",
          id: null,
          error: { code: -32000, message: "Too Many Requests: slow down and retry after 60 seconds." },
        });
        // Another caller (the suite's own credentials, another IP on a public app) is not limited.
        await expectNormalCall(auth.style === "public" ? { "CF-Connecting-IP": "198.51.100.99" } : credentials);
      });

      const endpoints = ["register", "token", "authorize"] as const;
      if (!oauth) {
        it.each(endpoints)(`/%s per IP (not applicable: ${notApplicable(auth)}; the endpoint is 404)`, async (endpoint) => {
          expect((await send(`POST /${endpoint}`, `${origin}/${endpoint}`, { method: "POST" })).response.status).toBe(404);
        });
        return;
      }

      it.each(endpoints)(
        `/%s: ${limits.oauth ?? "no"} per minute per IP, then 429 with Retry-After; other IPs unaffected`,
        async (endpoint) => {
          expect(limits.oauth, "wrangler.jsonc binds OAUTH_RATE_LIMITER").toBeGreaterThan(0);
          const limit = limits.oauth as number;
          // Requests the endpoint refuses cheaply (nothing is stored), so only the counter is exercised.
          const request = (from: string) =>
            endpoint === "authorize"
              ? fetch(`${origin}/authorize?client_id=attack-unknown`, { redirect: "manual", headers: { "CF-Connecting-IP": from } })
              : fetch(`${origin}/${endpoint}`, {
                  method: "POST",
                  headers: {
                    "CF-Connecting-IP": from,
                    "Content-Type": endpoint === "token" ? "application/x-www-form-urlencoded" : "application/json",
                  },
                  body: endpoint === "token" ? "grant_type=refresh_token&refresh_token=x:y:z&client_id=attack-unknown" : "{}",
                });
          const { statuses, refused } = await burst(limit + 2, (attempt) => request(`${RATE_LIMIT_IPS[endpoint]}${attempt}`));
          expect(statuses.filter((status) => status === 429)).toHaveLength(2);
          expect(refused?.response.headers.get("retry-after")).toBe("60");
          expect(JSON.parse(refused?.body ?? "")).toEqual({
            error: "rate_limited",
            error_description: "Too Many Requests: slow down and retry after 60 seconds.",
          });
          const other = await request("198.51.100.98");
          expect(other.status).not.toBe(429);
          await other.body?.cancel();
        },
      );
    });

    // --- Durability ---

    describe("durability", () => {
      it("a restart in the middle of a client's work loses nothing: /mcp carries on, /sse reconnects with a new session", async () => {
        const provider = oauth ? new TestOAuthProvider(browse, "http://127.0.0.1:65505/callback", "durability client") : undefined;
        const headers = oauth ? undefined : credentials;
        const streamable: Client = await connectSdkClient(`${origin}/mcp`, "streamable-http", provider, headers);
        const sse: Client = await connectSdkClient(`${origin}/sse`, "sse", provider, headers);
        const signIns = provider?.lastRedirect;
        try {
          expect(await streamable.callTool(PROBE)).toEqual(PROBE_RESULT);
          expect(await sse.callTool(PROBE)).toEqual(PROBE_RESULT);
          const tokens = provider?.tokens();
          remember(tokens?.access_token, tokens?.refresh_token);

          await (server as AttackServer).restart();

          // Stateless /mcp: the same client, same token, next call works.
          expect(await streamable.callTool(PROBE)).toEqual(PROBE_RESULT);
          // Legacy SSE: the stream died with the process; a new connection gets a new session, no new sign-in.
          const again = await connectSdkClient(`${origin}/sse`, "sse", provider, headers);
          try {
            expect(await again.callTool(PROBE)).toEqual(PROBE_RESULT);
          } finally {
            await again.close();
          }
          expect(provider?.lastRedirect).toBe(signIns);
          if (oauth && tokens?.refresh_token) {
            // The grant (KV) survived too: its refresh token still works.
            const info = provider?.clientInformation() as { client_id: string };
            tokensFrom(
              await tokenRequest("refresh after restart", {
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

    // --- Secrets and logs (last: they read everything the cases above produced) ---

    describe("secrets and logs", () => {
      // The app's own secrets, read now: an upstream issues its tokens while the cases run.
      beforeAll(() => {
        for (const secret of options.secrets?.() ?? []) remember(secret);
      });

      it("no error body the suite received carries a secret or a stack trace", () => {
        // A public app has no credentials; its bodies are still checked for stack traces.
        if (auth.style !== "public") expect(secrets.size).toBeGreaterThan(0);
        for (const { what, body } of bodies) {
          for (const secret of secrets) expect(body.includes(secret), `${what} shows a secret`).toBe(false);
          expect(body, what).not.toMatch(/\n\s+at \S+ \(|\bat .+\.(?:js|ts):\d+:\d+/);
        }
      });

      it("the app's log has every secret the suite used redacted: no token, code, verifier, client secret or handle", () => {
        const output = (server as AttackServer).logs();
        for (const secret of [...secrets, ...logOnlySecrets])
          expect(output.includes(secret), `the log shows a secret (${secret.slice(0, 4)}…)`).toBe(false);
      });

      it("logs one structured JSON line per request: app, method, route, status, latency; client, user, tool and outcome where known", () => {
        const requests = loggedRequests((server as AttackServer).logs());
        expect(requests.length).toBeGreaterThan(50);
        for (const line of requests) {
          expect(line).toMatchObject({
            app: expect.any(String),
            method: expect.any(String),
            route: expect.any(String),
            status: expect.any(Number),
            ms: expect.any(Number),
          });
          expect(String(line.route)).not.toContain("?");
        }
        const calls = requests.filter((line) => line.route === "/mcp" && line.tool === PROBE.name && line.status === 200);
        // Calls the SDK refused before the tool ran (argument validation) have no outcome; the rest do.
        expect(calls.filter((line) => line.outcome === "ok").length).toBeGreaterThan(20);
        expect(calls.every((line) => line.outcome === undefined || line.outcome === "ok" || line.outcome === "tool_error")).toBe(true);
        if (auth.style !== "public") {
          expect(calls.every((line) => typeof line.clientId === "string" && typeof line.userId === "string")).toBe(true);
          const refused = requests.filter((line) => line.status === 403 && line.outcome === "insufficient_scope");
          expect(refused.map((line) => line.route)).toEqual(expect.arrayContaining(["/mcp", "/sse/message"]));
        }
        expect(requests.filter((line) => line.status === 429).every((line) => line.outcome === "rate_limited")).toBe(true);
      });
    });
  });
}
