/// <reference types="@cloudflare/vitest-plugin/types" />
import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { OAuthProvider, type OAuthResourceContext } from "@cloudflare/workers-oauth-provider";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import type { ProviderEnv } from "./consent.js";
import { githubAuthHandler } from "./github.js";
import type { GitHubEnv } from "./github-config.js";

// The GitHub sign-in behind a real OAuthProvider; GitHub itself is a fetch stub (FakeGitHub below),
// so these tests see every request the handler sends upstream.

const ORIGIN = "https://mcp.test";
const REDIRECT = "https://client.example/oauth/callback";
const OTHER_REDIRECT = "https://client.example/other-callback";
const GITHUB = {
  authorize: "https://ghe.test/login/oauth/authorize",
  token: "https://ghe.test/login/oauth/access_token",
  api: "https://ghe.test/api/v3",
};
const CONSENT_SECRET = "consent-secret-for-unit-tests-0123456789";
const VARS: GitHubEnv = {
  GITHUB_CLIENT_ID: "gh-client-id",
  GITHUB_CLIENT_SECRET: "gh-client-secret",
  CONSENT_SECRET,
  GITHUB_AUTHORIZE_URL: GITHUB.authorize,
  GITHUB_TOKEN_URL: GITHUB.token,
  GITHUB_API_URL: `${GITHUB.api}/`,
};
const GITHUB_TOKEN = "gho_unit_test_token";
const APPROVALS = "__Host-oauth-approvals";
const EXCHANGE_FAILED = "GitHub sign-in failed: the GitHub authorization could not be completed";

const handler = githubAuthHandler({ defaultScopes: ["mcp:tools"] });
const provider = new OAuthProvider<Cloudflare.Env & GitHubEnv>({
  apiRoute: "/api",
  apiHandler: {
    async fetch(_request, _env, ctx) {
      const { props, auth } = ctx as OAuthResourceContext<unknown>;
      return Response.json({ props, scope: auth.scope });
    },
  },
  // The provider adds its helpers (OAUTH_PROVIDER) to env before calling the default handler.
  defaultHandler: { fetch: (request, env) => handler.fetch(request, env as typeof env & ProviderEnv) },
  authorizeEndpoint: "/authorize",
  tokenEndpoint: "/token",
  clientRegistrationEndpoint: "/register",
  scopesSupported: ["mcp:tools"],
  requiredScopes: ["mcp:tools"],
  resourceMetadata: { resource: ORIGIN, authorization_servers: [ORIGIN] },
});

const base64url = (bytes: ArrayBuffer | Uint8Array) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const s256 = async (text: string) => base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));

/** GitHub as the handler sees it through fetch: an OAuth token endpoint (with PKCE) and the REST API. */
class FakeGitHub {
  readonly calls: { url: string; authorization: string | null; body: string }[] = [];
  /** Codes "GitHub" has issued, with the challenge and redirect URI of the authorization. */
  readonly codes = new Map<string, { challenge: string; redirectUri: string }>();
  token: "ok" | "refuse" | "unreachable" = "ok";
  userStatus = 200;
  user: { id: number; login: string; name: string | null; email: string | null } = {
    id: 583231,
    login: "octocat",
    name: "The Octocat",
    email: null,
  };
  emails = [
    { email: "old@example.com", primary: false, verified: true },
    { email: "octocat@example.com", primary: true, verified: true },
  ];

  /** What GitHub's authorize page does when the user accepts: remembers the challenge, issues a code. */
  authorize(location: URL): string {
    const code = `gh-code-${crypto.randomUUID()}`;
    this.codes.set(code, {
      challenge: location.searchParams.get("code_challenge") ?? "",
      redirectUri: location.searchParams.get("redirect_uri") ?? "",
    });
    return code;
  }

  async fetch(request: Request): Promise<Response> {
    const body = new TextDecoder().decode(await request.clone().arrayBuffer());
    this.calls.push({ url: request.url, authorization: request.headers.get("authorization"), body });
    if (request.url === GITHUB.token) return this.exchange(new URLSearchParams(body));
    if (request.headers.get("authorization") !== `Bearer ${GITHUB_TOKEN}`)
      return Response.json({ message: "Bad credentials" }, { status: 401 });
    if (request.url === `${GITHUB.api}/user`) {
      return this.userStatus === 200 ? Response.json(this.user) : new Response("boom", { status: this.userStatus });
    }
    if (request.url === `${GITHUB.api}/user/emails`) return Response.json(this.emails);
    return new Response("Not Found", { status: 404 });
  }

  private async exchange(form: URLSearchParams): Promise<Response> {
    if (this.token === "unreachable") throw new TypeError("fetch failed");
    const issued = this.codes.get(form.get("code") ?? "");
    this.codes.delete(form.get("code") ?? "");
    const valid =
      this.token === "ok" &&
      form.get("client_id") === VARS.GITHUB_CLIENT_ID &&
      form.get("client_secret") === VARS.GITHUB_CLIENT_SECRET &&
      issued !== undefined &&
      form.get("redirect_uri") === issued.redirectUri &&
      (await s256(form.get("code_verifier") ?? "")) === issued.challenge;
    // GitHub answers a bad code with 200 and an error field.
    if (!valid) return Response.json({ error: "bad_verification_code", error_description: "The code passed is incorrect or expired." });
    return Response.json({ access_token: GITHUB_TOKEN, token_type: "bearer", scope: "read:user,user:email" });
  }
}

let github: FakeGitHub;
/** The handler's log lines (the shared logger writes one JSON object per console.log). */
let logged: MockInstance<typeof console.log>;
/** The failed sign-ins the handler logged. */
const failures = () =>
  logged.mock.calls
    .map(([line]) => JSON.parse(String(line)) as Record<string, unknown>)
    .filter((fields) => fields.event === "github_sign_in_failed");
beforeEach(() => {
  github = new FakeGitHub();
  vi.spyOn(globalThis, "fetch").mockImplementation((input, init) => github.fetch(new Request(input, init)));
  logged = vi.spyOn(console, "log").mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** One browser: keeps cookies for the server's origin as a browser would (Max-Age=0 deletes). */
class Browser {
  readonly jar = new Map<string, string>();

  async fetch(path: string, init: RequestInit = {}, vars: GitHubEnv = VARS): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size > 0) headers.set("Cookie", [...this.jar].map(([name, value]) => `${name}=${value}`).join("; "));
    const request = new Request(new URL(path, ORIGIN), { redirect: "manual", ...init, headers });
    const response = await provider.fetch(request, { ...env, ...vars }, createExecutionContext());
    for (const line of response.headers.getSetCookie()) {
      const [pair = "", ...attributes] = line.split("; ");
      const index = pair.indexOf("=");
      const name = pair.slice(0, index);
      if (attributes.includes("Max-Age=0")) this.jar.delete(name);
      else this.jar.set(name, pair.slice(index + 1));
    }
    return response;
  }

  postForm(path: string, fields: Record<string, string>): Promise<Response> {
    return this.fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(fields),
    });
  }
}

async function register(redirectUris = [REDIRECT]): Promise<string> {
  const response = await new Browser().fetch("/register", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ client_name: "Unit <Client>", redirect_uris: redirectUris, token_endpoint_auth_method: "none" }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { client_id: string }).client_id;
}

interface Authorization {
  url: string;
  verifier: string;
  clientId: string;
  redirectUri: string;
}

async function authorization(clientId: string, redirectUri = REDIRECT): Promise<Authorization> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: redirectUri,
    state: "client-state",
    scope: "mcp:tools",
    code_challenge: await s256(verifier),
    code_challenge_method: "S256",
  });
  return { url: `/authorize?${query}`, verifier, clientId, redirectUri };
}

const location = (response: Response) => new URL(response.headers.get("location") ?? "about:blank");
const handleOf = (html: string) => /name="handle" value="([^"]+)"/.exec(html)?.[1] ?? "";

/** Opens /authorize; approves on the consent page if it shows. Returns the redirect to GitHub and whether consent was asked. */
async function toGitHub(browser: Browser, auth: Authorization): Promise<{ github: URL; consented: boolean }> {
  const first = await browser.fetch(auth.url);
  if (first.status === 302) return { github: location(first), consented: false };
  expect(first.status).toBe(200);
  const approved = await browser.postForm(auth.url, { handle: handleOf(await first.text()), decision: "approve" });
  expect(approved.status).toBe(302);
  return { github: location(approved), consented: true };
}

/** GitHub sends the browser back to /callback with a code (or `params` instead). */
function back(browser: Browser, target: URL, params?: Record<string, string>): Promise<Response> {
  const query = new URLSearchParams(params ?? { code: github.authorize(target) });
  query.set("state", target.searchParams.get("state") ?? "");
  return browser.fetch(`/callback?${query}`);
}

function expectClientError(response: Response, description: string): void {
  expect(response.status).toBe(302);
  const target = location(response);
  expect(`${target.origin}${target.pathname}`).toBe(REDIRECT);
  expect(Object.fromEntries(target.searchParams)).toEqual({
    error: "access_denied",
    error_description: description,
    state: "client-state",
    iss: ORIGIN,
  });
}

describe("configuration", () => {
  it("answers /authorize and /callback with a 503 page naming every missing secret, and no value", async () => {
    const auth = await authorization(await register());
    for (const path of [auth.url, "/callback?code=x&state=y"]) {
      const response = await new Browser().fetch(path, {}, { GITHUB_CLIENT_ID: "id-is-set" });
      expect(response.status).toBe(503);
      expect(response.headers.get("location")).toBeNull();
      const html = await response.text();
      expect(html).toContain("<h1>GitHub sign-in is not configured</h1>");
      expect(html).toContain(
        "<ul><li>GITHUB_CLIENT_SECRET is not set</li><li>CONSENT_SECRET (or COOKIE_ENCRYPTION_KEY) is not set</li></ul>",
      );
      expect(html).not.toContain("id-is-set");
    }
    expect(github.calls).toEqual([]);
  });

  it("refuses a short consent secret and a non-https GitHub URL; accepts COOKIE_ENCRYPTION_KEY", async () => {
    const auth = await authorization(await register());
    const bad = await new Browser().fetch(
      auth.url,
      {},
      { ...VARS, CONSENT_SECRET: "short", GITHUB_TOKEN_URL: "http://github.example/token" },
    );
    expect(bad.status).toBe(503);
    const html = await bad.text();
    expect(html).toContain("<li>CONSENT_SECRET (or COOKIE_ENCRYPTION_KEY) must be at least 32 characters</li>");
    expect(html).toContain("<li>GITHUB_TOKEN_URL must be an https URL (http only on localhost)</li>");

    const legacy = await new Browser().fetch(auth.url, {}, { ...VARS, CONSENT_SECRET: undefined, COOKIE_ENCRYPTION_KEY: CONSENT_SECRET });
    expect(legacy.status).toBe(200);
  });
});

describe("GET /authorize", () => {
  it("shows the consent page first, naming GitHub's host, and sends nothing to GitHub", async () => {
    const browser = new Browser();
    const response = await browser.fetch((await authorization(await register())).url);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    // Chromium applies form-action to the redirects after the POST: to GitHub (approve) and to the client (deny).
    expect(response.headers.get("content-security-policy")).toContain("form-action 'self' https://client.example https://ghe.test;");
    const html = await response.text();
    expect(html).toContain("<h1>Sign in with GitHub</h1>");
    expect(html).toContain("Approving sends you to <strong>ghe.test</strong> to sign in.");
    expect(html).toContain('<strong id="client-name">Unit &#60;Client&#62;</strong>');
    expect(handleOf(html)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect([...browser.jar.keys()]).toEqual([expect.stringMatching(/^__Host-oauth-consent-[0-9a-f]{16}$/)]);
    expect(github.calls).toEqual([]);
  });

  it("refuses a request without PKCE at the client's redirect, before any consent", async () => {
    const auth = await authorization(await register());
    const response = await new Browser().fetch(auth.url.replace(/&code_challenge=[^&]+&code_challenge_method=S256/, ""));
    expect(response.status).toBe(302);
    expect(location(response).searchParams.get("error")).toBe("invalid_request");
  });

  it("answers other methods with 405", async () => {
    const response = await new Browser().fetch("/authorize", { method: "PUT" });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, POST");
    expect((await new Browser().fetch("/callback", { method: "POST" })).headers.get("allow")).toBe("GET");
  });
});

describe("approve, then GitHub", () => {
  it("redirects to GitHub with PKCE S256 and a browser-bound state, and remembers the approval", async () => {
    const browser = new Browser();
    const { github: target, consented } = await toGitHub(browser, await authorization(await register()));
    expect(consented).toBe(true);
    expect(`${target.origin}${target.pathname}`).toBe(GITHUB.authorize);
    expect([...target.searchParams.keys()].sort()).toEqual([
      "client_id",
      "code_challenge",
      "code_challenge_method",
      "redirect_uri",
      "scope",
      "state",
    ]);
    expect(target.searchParams.get("client_id")).toBe("gh-client-id");
    expect(target.searchParams.get("redirect_uri")).toBe(`${ORIGIN}/callback`);
    expect(target.searchParams.get("scope")).toBe("read:user user:email");
    expect(target.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(target.searchParams.get("code_challenge_method")).toBe("S256");
    expect(target.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The consent cookie is spent; the state's binding cookie and the signed approval are set.
    expect([...browser.jar.keys()].sort()).toEqual([APPROVALS, expect.stringMatching(/^__Host-oauth-upstream-[0-9a-f]{16}$/)]);
    expect(github.calls).toEqual([]);
  });

  it("skips the consent page for the same client and redirect URI in the same browser only", async () => {
    const browser = new Browser();
    const clientId = await register([REDIRECT, OTHER_REDIRECT]);
    expect((await toGitHub(browser, await authorization(clientId))).consented).toBe(true);

    const again = await toGitHub(browser, await authorization(clientId));
    expect(again.consented).toBe(false);
    expect(`${again.github.origin}${again.github.pathname}`).toBe(GITHUB.authorize);

    // Another redirect URI of the same client, another client, another browser: each asks.
    expect((await browser.fetch((await authorization(clientId, OTHER_REDIRECT)).url)).status).toBe(200);
    expect((await browser.fetch((await authorization(await register())).url)).status).toBe(200);
    expect((await new Browser().fetch((await authorization(clientId)).url)).status).toBe(200);
  });

  it("a client that asks for no scope gets the default scopes, also when its consent is remembered", async () => {
    const browser = new Browser();
    const clientId = await register();
    const unscoped = async () => {
      const auth = await authorization(clientId);
      return { ...auth, url: auth.url.replace("&scope=mcp%3Atools", "") };
    };
    expect((await toGitHub(browser, await unscoped())).consented).toBe(true);
    const auth = await unscoped();
    const { github: target, consented } = await toGitHub(browser, auth);
    expect(consented).toBe(false);
    const landed = location(await back(browser, target));
    const token = await browser.postForm("/token", {
      grant_type: "authorization_code",
      code: landed.searchParams.get("code") ?? "",
      redirect_uri: REDIRECT,
      client_id: clientId,
      code_verifier: auth.verifier,
    });
    expect(await token.json()).toMatchObject({ scope: "mcp:tools" });
  });

  it("does not trust an approvals cookie that was tampered with or signed with another secret", async () => {
    const browser = new Browser();
    const clientId = await register();
    await toGitHub(browser, await authorization(clientId));
    const approvals = browser.jar.get(APPROVALS) ?? "";
    const [payload, signature] = approvals.split(".");

    const rotated = await browser.fetch((await authorization(clientId)).url, {}, { ...VARS, CONSENT_SECRET: `${CONSENT_SECRET}-rotated` });
    expect(rotated.status).toBe(200);

    const forged = new Browser();
    const entries = JSON.parse(atob((payload ?? "").replace(/-/g, "+").replace(/_/g, "/"))) as { e: number }[];
    const extended = base64url(new TextEncoder().encode(JSON.stringify(entries.map((entry) => ({ ...entry, e: entry.e + 1000 })))));
    forged.jar.set(APPROVALS, `${extended}.${signature}`);
    expect((await forged.fetch((await authorization(clientId)).url)).status).toBe(200);
  });

  it("deny: the client gets access_denied, nothing goes to GitHub and nothing is remembered", async () => {
    const browser = new Browser();
    const auth = await authorization(await register());
    const page = await browser.fetch(auth.url);
    const denied = await browser.postForm(auth.url, { handle: handleOf(await page.text()), decision: "deny" });
    expectClientError(denied, "The user denied the request");
    expect(browser.jar.has(APPROVALS)).toBe(false);
    expect((await browser.fetch(auth.url)).status).toBe(200);
    expect(github.calls).toEqual([]);
  });

  it("refuses an approval posted without the consent cookie (CSRF): a page, no GitHub redirect", async () => {
    const browser = new Browser();
    const auth = await authorization(await register());
    const handle = handleOf(await (await browser.fetch(auth.url)).text());
    const forged = await new Browser().postForm(auth.url, { handle, decision: "approve" });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("location")).toBeNull();
    expect(await forged.text()).toContain("This authorization was not started in this browser");
  });
});

describe("GET /callback", () => {
  it("exchanges GitHub's code with the verifier and client secret, reads the user, and issues the client's code", async () => {
    const browser = new Browser();
    const auth = await authorization(await register());
    const { github: target } = await toGitHub(browser, auth);
    const response = await back(browser, target);

    expect(response.status).toBe(302);
    const landed = location(response);
    expect(`${landed.origin}${landed.pathname}`).toBe(REDIRECT);
    expect(landed.searchParams.get("state")).toBe("client-state");
    expect(landed.searchParams.get("iss")).toBe(ORIGIN);
    expect([...browser.jar.keys()]).toEqual([APPROVALS]);
    expect(github.calls.map((call) => [call.url, call.authorization])).toEqual([
      [GITHUB.token, null],
      [`${GITHUB.api}/user`, `Bearer ${GITHUB_TOKEN}`],
      [`${GITHUB.api}/user/emails`, `Bearer ${GITHUB_TOKEN}`],
    ]);

    // The grant's user is GitHub's numeric id, never the login (which can be renamed and re-registered).
    expect(landed.searchParams.get("code")?.split(":")[0]).toBe("583231");
    const token = await browser.postForm("/token", {
      grant_type: "authorization_code",
      code: landed.searchParams.get("code") ?? "",
      redirect_uri: REDIRECT,
      client_id: auth.clientId,
      code_verifier: auth.verifier,
    });
    expect(token.status).toBe(200);
    const { access_token } = (await token.json()) as { access_token: string };
    const api = await browser.fetch("/api", { headers: { Authorization: `Bearer ${access_token}` } });
    expect(await api.json()).toEqual({
      props: { id: 583231, login: "octocat", name: "The Octocat", email: "octocat@example.com", accessToken: GITHUB_TOKEN },
      scope: ["mcp:tools"],
    });
  });

  it("uses the public email without asking for the list, and the login when there is no name", async () => {
    github.user = { id: 1000, login: "hubot", name: null, email: "hubot@example.com" };
    const browser = new Browser();
    const auth = await authorization(await register());
    const landed = location(await back(browser, (await toGitHub(browser, auth)).github));
    expect(github.calls.map((call) => call.url)).toEqual([GITHUB.token, `${GITHUB.api}/user`]);
    const token = await browser.postForm("/token", {
      grant_type: "authorization_code",
      code: landed.searchParams.get("code") ?? "",
      redirect_uri: REDIRECT,
      client_id: auth.clientId,
      code_verifier: auth.verifier,
    });
    const { access_token } = (await token.json()) as { access_token: string };
    const api = await browser.fetch("/api", { headers: { Authorization: `Bearer ${access_token}` } });
    expect(((await api.json()) as { props: unknown }).props).toEqual({
      id: 1000,
      login: "hubot",
      name: "hubot",
      email: "hubot@example.com",
      accessToken: GITHUB_TOKEN,
    });
  });

  it.each([
    ["the user declines at GitHub", { error: "access_denied" }, "The user declined access at GitHub"],
    ["GitHub reports another error", { error: "application_suspended" }, "GitHub sign-in failed"],
    ["GitHub sends no code", {}, "GitHub sign-in failed"],
  ])("%s: access_denied to the client, no token request", async (_, params, description) => {
    const browser = new Browser();
    const { github: target } = await toGitHub(browser, await authorization(await register()));
    expectClientError(await back(browser, target, params), description);
    expect(github.calls).toEqual([]);
    expect(failures()).toHaveLength(1);
  });

  it.each([
    ["the token endpoint refuses the code", () => (github.token = "refuse"), EXCHANGE_FAILED],
    ["the token endpoint is unreachable", () => (github.token = "unreachable"), EXCHANGE_FAILED],
    ["the profile cannot be read", () => (github.userStatus = 502), "GitHub sign-in failed: the GitHub profile could not be read"],
  ])("%s: access_denied to the client, never a 500", async (_, breakGitHub, description) => {
    breakGitHub();
    const browser = new Browser();
    const { github: target } = await toGitHub(browser, await authorization(await register()));
    expectClientError(await back(browser, target), description);
    expect(failures()).toHaveLength(1);
    expect(logged.mock.calls.join("\n")).not.toContain(GITHUB_TOKEN);
  });

  it("a wrong code verifier at GitHub fails the exchange (the verifier sent is the one behind the challenge)", async () => {
    const browser = new Browser();
    const { github: target } = await toGitHub(browser, await authorization(await register()));
    const code = github.authorize(target);
    github.codes.set(code, { challenge: await s256("some other verifier"), redirectUri: `${ORIGIN}/callback` });
    expectClientError(await back(browser, target, { code }), EXCHANGE_FAILED);
    expect(failures()).toEqual([
      { ts: expect.any(String), event: "github_sign_in_failed", reason: "token endpoint refused: bad_verification_code" },
    ]);
  });

  it("refuses a callback from another browser, a wrong state and a replay with a page, never a redirect", async () => {
    const browser = new Browser();
    const { github: target } = await toGitHub(browser, await authorization(await register()));
    const code = github.authorize(target);

    const elsewhere = await back(new Browser(), target, { code });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get("location")).toBeNull();
    expect(await elsewhere.text()).toContain("This authorization was not started in this browser");

    const wrongState = await browser.fetch(`/callback?code=${code}&state=${"A".repeat(43)}`);
    expect(wrongState.status).toBe(400);
    expect(wrongState.headers.get("location")).toBeNull();

    const missingState = await browser.fetch(`/callback?code=${code}`);
    expect(missingState.status).toBe(400);
    expect(await missingState.text()).toContain("Missing state parameter");

    expect((await back(browser, target, { code })).status).toBe(302);
    const replay = await back(browser, target, { code });
    expect(replay.status).toBe(400);
    expect(replay.headers.get("location")).toBeNull();
    expect(github.calls.filter((call) => call.url === GITHUB.token)).toHaveLength(1);
  });
});
