import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ORIGIN } from "../test/fixture-worker.js";
import { mockUserId } from "./mock.js";

// The mock sign-in driven through a real OAuthProvider (test/fixture-worker.ts), as a browser and a client would.

const REDIRECT = "https://client.example/oauth/callback";
const LOOPBACK_REDIRECT = "http://127.0.0.1:33418/callback";
const HOSTILE_NAME = `Evil <script>alert("pwned")</script> & Co`;
const ESCAPED_NAME = "Evil &#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62; &#38; Co";
const BINDING_COOKIE = /^(__Host-oauth-consent-[0-9a-f]{16})=([0-9a-f]{64}); Path=\/; Secure; HttpOnly; SameSite=Lax; Max-Age=600$/;

const call = (path: string, init?: RequestInit) => exports.default.fetch(new URL(path, ORIGIN), { redirect: "manual", ...init });

interface Client {
  client_id: string;
  client_secret?: string;
}

async function register(metadata: Record<string, unknown> = {}): Promise<Client> {
  const response = await call("/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      client_name: HOSTILE_NAME,
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      ...metadata,
    }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Client;
}

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const challenge = base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return { verifier, challenge };
}

/** An /authorize URL; `undefined` in `params` removes a parameter. */
function authorizeUrl(client: Client, params: Record<string, string | undefined>): string {
  const url = new URL("/authorize", ORIGIN);
  const all: Record<string, string | undefined> = {
    response_type: "code",
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope: "mcp:tools",
    state: "state-123",
    code_challenge_method: "S256",
    ...params,
  };
  for (const [key, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(key, value);
  return url.pathname + url.search;
}

interface ConsentPage {
  response: Response;
  html: string;
  handle: string;
  /** The binding cookie as a browser would send it back. */
  cookie: string;
}

async function openConsent(url: string): Promise<ConsentPage> {
  const response = await call(url);
  const html = await response.text();
  expect(response.status, html).toBe(200);
  const handle = /<input type="hidden" name="handle" value="([A-Za-z0-9_-]{43})">/.exec(html)?.[1];
  const [setCookie] = response.headers.getSetCookie();
  const match = BINDING_COOKIE.exec(setCookie ?? "");
  if (!handle || !match) throw new Error(`consent page without handle or binding cookie: ${setCookie}\n${html}`);
  return { response, html, handle, cookie: `${match[1]}=${match[2]}` };
}

function postConsent(url: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
  return call(url, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", ...(cookie && { Cookie: cookie }) },
    body: new URLSearchParams(fields),
  });
}

const approve = (page: ConsentPage, url: string, email = "Ada@Example.com") =>
  postConsent(url, { handle: page.handle, decision: "approve", email, password: "correct horse" }, page.cookie);

function exchange(client: Client, code: string, verifier: string): Promise<Response> {
  return call("/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: client.client_id,
      code,
      redirect_uri: REDIRECT,
      code_verifier: verifier,
    }),
  });
}

function location(response: Response): URL {
  const value = response.headers.get("location");
  if (!value) throw new Error(`no Location on a ${response.status}`);
  return new URL(value);
}

/** Registers a client and authorizes it through the consent page up to the code. */
async function authorizedCode(): Promise<{ client: Client; code: string; verifier: string }> {
  const client = await register();
  const { verifier, challenge } = await pkce();
  const url = authorizeUrl(client, { code_challenge: challenge });
  const response = await approve(await openConsent(url), url);
  expect(response.status).toBe(302);
  const code = location(response).searchParams.get("code");
  if (!code) throw new Error("no code");
  return { client, code, verifier };
}

describe("GET /authorize", () => {
  it("renders the consent page with the client's name escaped, the redirect host, the mock notice and a bound handle", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const { response, html, handle } = await openConsent(authorizeUrl(client, { code_challenge: challenge }));

    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.getSetCookie()).toHaveLength(1);

    expect(html).toContain(`<strong id="client-name">${ESCAPED_NAME}</strong>`);
    expect(html).toContain(`<title>Authorize ${ESCAPED_NAME}</title>`);
    expect(html).not.toContain("<script>");
    expect(html).not.toContain(`"pwned"`);
    expect(html).toContain('<strong id="redirect-host">client.example</strong>');
    expect(html).toContain("This app registered itself; its name is not verified.");
    expect(html).not.toContain('class="warn"');
    expect(html).toContain('<p class="notice"><strong>Mock sign-in.</strong>');
    expect(html).toContain('<ul class="scopes"><li><code>mcp:tools</code></li></ul>');
    expect(html).toContain('<input id="email" name="email" type="email" autocomplete="username" required value="">');
    expect(handle).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("warns when the tokens go to a loopback redirect, and shows the default scopes when none were asked for", async () => {
    const client = await register({ client_name: "Local tool", redirect_uris: [LOOPBACK_REDIRECT] });
    const { challenge } = await pkce();
    const { html } = await openConsent(
      authorizeUrl(client, { code_challenge: challenge, redirect_uri: LOOPBACK_REDIRECT, scope: undefined }),
    );
    expect(html).toContain('<strong id="redirect-host">127.0.0.1</strong>');
    expect(html).toContain('<p class="warn">This sends access to an app on your computer.');
    expect(html).toContain('<ul class="scopes"><li><code>mcp:tools</code></li></ul>');
  });

  it("refuses a request without PKCE or with plain PKCE by redirecting invalid_request to the valid redirect URI", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const missing = await call(authorizeUrl(client, { code_challenge_method: undefined }));
    const plain = await call(authorizeUrl(client, { code_challenge: challenge, code_challenge_method: "plain" }));
    for (const response of [missing, plain]) {
      expect(response.status).toBe(302);
      expect(response.headers.getSetCookie()).toEqual([]);
      const target = location(response);
      expect(`${target.origin}${target.pathname}`).toBe(REDIRECT);
      expect(target.searchParams.get("error")).toBe("invalid_request");
      expect(target.searchParams.get("state")).toBe("state-123");
      expect(target.searchParams.get("iss")).toBe(ORIGIN);
      expect(target.searchParams.has("code")).toBe(false);
    }
  });

  it("insists on S256 PKCE even for a confidential client the provider would let through without it", async () => {
    const client = await register({ token_endpoint_auth_method: "client_secret_basic" });
    expect(client.client_secret).toBeTruthy();
    const response = await call(authorizeUrl(client, { code_challenge_method: undefined }));
    expect(response.status).toBe(302);
    const target = location(response);
    expect(Object.fromEntries(target.searchParams)).toEqual({
      error: "invalid_request",
      error_description: "PKCE is required: send code_challenge with code_challenge_method=S256",
      state: "state-123",
      iss: ORIGIN,
    });
  });

  it("binds the grant to this resource: another resource indicator is refused with invalid_target", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const response = await call(authorizeUrl(client, { code_challenge: challenge, resource: "https://other.example" }));
    expect(response.status).toBe(302);
    const target = location(response);
    expect(target.searchParams.get("error")).toBe("invalid_target");
    expect(target.searchParams.has("code")).toBe(false);
    const same = await call(authorizeUrl(client, { code_challenge: challenge, resource: ORIGIN }));
    expect(same.status).toBe(200);
  });

  it("renders a 400 page, never a redirect, for a redirect URI the client did not register", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const response = await call(authorizeUrl(client, { code_challenge: challenge, redirect_uri: "https://attacker.example/steal" }));
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    const html = await response.text();
    expect(html).toContain("<h1>This sign-in request cannot continue</h1>");
    expect(html).toContain("<p>Invalid redirect URI</p>");
    expect(html).not.toContain("attacker.example");
  });

  it("renders a 400 page for an unknown client_id", async () => {
    const { challenge } = await pkce();
    const response = await call(authorizeUrl({ client_id: "no-such-client" }, { code_challenge: challenge }));
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    const html = await response.text();
    expect(html).toContain("<h1>This sign-in request cannot continue</h1>");
    expect(html).toContain("<p>Invalid client_id</p>");
  });

  it("answers other paths with 404 and other methods with 405", async () => {
    expect((await call("/elsewhere")).status).toBe(404);
    const client = await register();
    const { challenge } = await pkce();
    expect((await call(authorizeUrl(client, { code_challenge: challenge }), { method: "PUT" })).status).toBe(405);
  });
});

describe("POST /authorize", () => {
  it("approve: redirects to the redirect URI with code, state and iss, and clears the binding cookie", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const url = authorizeUrl(client, { code_challenge: challenge });
    const page = await openConsent(url);
    const response = await approve(page, url);

    expect(response.status).toBe(302);
    const target = location(response);
    expect(`${target.origin}${target.pathname}`).toBe(REDIRECT);
    expect([...target.searchParams.keys()].sort()).toEqual(["code", "iss", "state"]);
    // The code starts with the user id, which is opaque: no email in browser history or client logs.
    expect(target.searchParams.get("code")).toMatch(new RegExp(`^${await mockUserId("ada@example.com")}:[^:]+:[^:]+$`));
    expect(target.searchParams.get("code")).not.toContain("ada");
    expect(await mockUserId("ada@example.com")).toMatch(/^mock-[0-9a-f]{24}$/);
    expect(target.searchParams.get("state")).toBe("state-123");
    expect(target.searchParams.get("iss")).toBe(ORIGIN);
    const cookieName = page.cookie.split("=")[0];
    expect(response.headers.getSetCookie()).toEqual([`${cookieName}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`]);
  });

  it("deny: redirects with error=access_denied and the state, and no code", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const url = authorizeUrl(client, { code_challenge: challenge });
    const page = await openConsent(url);
    const response = await postConsent(url, { handle: page.handle, decision: "deny" }, page.cookie);

    expect(response.status).toBe(302);
    const target = location(response);
    expect(`${target.origin}${target.pathname}`).toBe(REDIRECT);
    expect(Object.fromEntries(target.searchParams)).toEqual({
      error: "access_denied",
      error_description: "The user denied the request",
      state: "state-123",
      iss: ORIGIN,
    });
    // Denying consumed the handle: approving afterwards gets nothing.
    const late = await approve(page, url);
    expect(late.status).toBe(400);
    expect(late.headers.get("location")).toBeNull();
  });

  it("refuses a post without the binding cookie (CSRF) with a page and no code; the real browser can still approve", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const url = authorizeUrl(client, { code_challenge: challenge });
    const page = await openConsent(url);

    const forged = await postConsent(url, { handle: page.handle, decision: "approve", email: "eve@example.com", password: "x" });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("location")).toBeNull();
    expect(forged.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await forged.text();
    expect(html).toContain("<p>This authorization was not started in this browser; start again</p>");
    expect(html).not.toContain("code=");

    const forgedDeny = await postConsent(url, { handle: page.handle, decision: "deny" });
    expect(forgedDeny.status).toBe(400);
    expect(forgedDeny.headers.get("location")).toBeNull();

    const real = await approve(page, url);
    expect(real.status).toBe(302);
    expect(location(real).searchParams.get("code")).toBeTruthy();
  });

  it("refuses a replayed handle", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const url = authorizeUrl(client, { code_challenge: challenge });
    const page = await openConsent(url);
    expect((await approve(page, url)).status).toBe(302);

    const replay = await approve(page, url);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("location")).toBeNull();
    expect(await replay.text()).toContain("<p>This authorization expired or was already used; start again</p>");
  });

  it("shows the form again with the same handle and the typed email (escaped) when the email is invalid", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const url = authorizeUrl(client, { code_challenge: challenge });
    const page = await openConsent(url);

    const typed = `ada"><b>bold`;
    const response = await postConsent(url, { handle: page.handle, decision: "approve", email: typed, password: "pw" }, page.cookie);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    const html = await response.text();
    expect(html).toContain(`<input type="hidden" name="handle" value="${page.handle}">`);
    expect(html).toContain('type="email" autocomplete="username" required value="ada&#34;&#62;&#60;b&#62;bold">');
    expect(html).toContain('<p class="error" role="alert">Enter a valid email address.</p>');
    expect(html).toContain(`<strong id="client-name">${ESCAPED_NAME}</strong>`);
    expect(html).not.toContain("<b>bold");

    // An empty password, and a post without the field at all, get the same message.
    const withoutPassword: Record<string, string> = { handle: page.handle, decision: "approve", email: "ada@example.com" };
    for (const fields of [{ ...withoutPassword, password: "" }, withoutPassword]) {
      const noPassword = await postConsent(url, fields, page.cookie);
      expect(noPassword.status).toBe(400);
      const again = await noPassword.text();
      expect(again).toContain('<p class="error" role="alert">Enter a password (the mock accepts any).</p>');
      expect(again).toContain('required value="ada@example.com">');
    }

    // Nothing was consumed: the corrected form goes through.
    const fixed = await approve(page, url);
    expect(fixed.status).toBe(302);
    expect(location(fixed).searchParams.get("code")).toBeTruthy();
  });

  it("refuses a form without a decision or handle, and a body that is not a form", async () => {
    const client = await register();
    const { challenge } = await pkce();
    const url = authorizeUrl(client, { code_challenge: challenge });
    const page = await openConsent(url);

    const noDecision = await postConsent(url, { handle: page.handle, email: "ada@example.com", password: "pw" }, page.cookie);
    expect(noDecision.status).toBe(400);
    expect(await noDecision.text()).toContain("<h1>Incomplete form</h1>");
    const json = await call(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Cookie: page.cookie },
      body: JSON.stringify({ handle: page.handle, decision: "approve" }),
    });
    expect(json.status).toBe(415);
  });
});

describe("POST /token", () => {
  it("exchanges the code with the right verifier for a token that carries the mock identity", async () => {
    const { client, code, verifier } = await authorizedCode();
    const response = await exchange(client, code, verifier);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: "bearer", scope: "mcp:tools", expires_in: 3600 });
    expect(typeof tokens.access_token).toBe("string");
    expect(typeof tokens.refresh_token).toBe("string");

    const api = await call("/api", { headers: { Authorization: `Bearer ${tokens.access_token}` } });
    expect(api.status).toBe(200);
    expect(await api.json()).toEqual({
      props: { userId: await mockUserId("Ada@Example.com"), email: "ada@example.com", name: "ada" },
      clientId: client.client_id,
      scope: ["mcp:tools"],
    });
  });

  it("grants the scopes of the request shown on the page, not scopes added to the POST's URL", async () => {
    const client = await register();
    const { verifier, challenge } = await pkce();
    const shown = authorizeUrl(client, { code_challenge: challenge });
    const page = await openConsent(shown);
    const widened = authorizeUrl(client, { code_challenge: challenge, scope: "mcp:tools offline_access" });
    const response = await approve(page, widened);
    expect(response.status).toBe(302);
    const code = location(response).searchParams.get("code") ?? "";
    const tokens = (await (await exchange(client, code, verifier)).json()) as Record<string, unknown>;
    expect(tokens.scope).toBe("mcp:tools");
  });

  it("refuses the code with a wrong verifier (invalid_grant)", async () => {
    const { client, code } = await authorizedCode();
    const wrong = await exchange(client, code, (await pkce()).verifier);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses a replayed code (invalid_grant)", async () => {
    const { client, code, verifier } = await authorizedCode();
    expect((await exchange(client, code, verifier)).status).toBe(200);
    const replay = await exchange(client, code, verifier);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({ error: "invalid_grant" });
  });
});
