import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type AuthorizationServerMetadata,
  authorizationUrl,
  type ClientRegistration,
  connectMcpRemote,
  connectModernClient,
  connectSdkClient,
  createPkce,
  discoverAuthorizationServer,
  exchangeCode,
  freePort,
  HttpBrowser,
  loggedRequests,
  printServerLogOnFailure,
  type RecordedRequest,
  registerClient,
  type SignInChoice,
  type SignInTrace,
  TestOAuthProvider,
} from "@repo/mcp-app/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type App, startApp } from "./sign-in.js";

/**
 * The whole GitHub sign-in with real MCP clients against `wrangler dev`, GitHub played by the fake:
 * what each client ends up with, what the server sends GitHub, and what it refuses.
 */

let app: App;
let origin: string;
let authServer: AuthorizationServerMetadata;

beforeAll(async () => {
  app = await startApp();
  origin = app.server.origin;
  authServer = await discoverAuthorizationServer(origin);
});
afterAll(async () => {
  await app?.stop();
});
afterEach(() => {
  app.github.tokenFailure = undefined;
});
printServerLogOnFailure(() => app?.server);

/** get_user_data for octocat, as the fake GitHub describes them; the email is the primary verified one. */
const octocatProfile = () => ({
  login: "octocat",
  id: 583231,
  name: "The Octocat",
  email: "octocat@users.example",
  company: "@github",
  location: "San Francisco",
  profileUrl: `${app.github.origin}/octocat`,
  publicRepos: 8,
  followers: 42,
  following: 9,
  createdAt: "2011-01-25T18:44:36Z",
});

const route = (request: RecordedRequest) => `${request.method} ${request.url.split("?")[0]}`;

/** What the fake GitHub received from index `mark` on. */
const upstreamSince = (mark: number) => app.github.requests.slice(mark);

/** A browser whose sign-ins are recorded, and an OAuth provider for the SDK clients that uses it. */
function signedInClient(login = "octocat") {
  const browser = new HttpBrowser(app.github, login);
  const traces: SignInTrace[] = [];
  const auth = new TestOAuthProvider(async (url) => {
    const trace = await browser.signIn(url);
    traces.push(trace);
    return trace.landed;
  });
  return { browser, traces, auth };
}

type Connector = (
  auth: TestOAuthProvider,
) => Promise<{ callTool(call: { name: string; arguments: Record<string, unknown> }): Promise<unknown> } & { close(): Promise<void> }>;

const connectors: ReadonlyArray<[string, Connector]> = [
  ["SDK v1 over Streamable HTTP /mcp", (auth) => connectSdkClient(`${origin}/mcp`, "streamable-http", auth)],
  ["SDK v1 over legacy SSE /sse", (auth) => connectSdkClient(`${origin}/sse`, "sse", auth)],
  ["SDK v2 (2026-07-28) over /mcp", (auth) => connectModernClient(`${origin}/mcp`, auth)],
];

it("the landing page says where users sign in (the configured GitHub host)", async () => {
  const html = await (await fetch(`${origin}/`)).text();
  expect(html).toContain(`auth: OAuth 2.1 with GitHub sign-in (${new URL(app.github.origin).host})`);
});

describe("sign in with GitHub, then call the tools", () => {
  it.each(connectors)("%s: consent, GitHub, get_user_data; the MCP token never reaches GitHub", async (_, connect) => {
    const mark = app.github.requests.length;
    const { traces, auth } = signedInClient();
    const client = await connect(auth);
    const result = (await client.callTool({ name: "get_user_data", arguments: {} })) as { structuredContent?: unknown; isError?: boolean };
    await client.close();

    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual(octocatProfile());
    expect(traces).toHaveLength(1);
    expect(traces[0]?.consentShown).toBe(true);
    expect(traces[0]?.landed.searchParams.get("code")).toBeTruthy();

    const upstream = upstreamSince(mark);
    expect(upstream.map(route)).toEqual([
      "GET /login/oauth/authorize",
      "GET /login/oauth/decide",
      "POST /login/oauth/access_token",
      "GET /api/v3/user",
      "GET /api/v3/user/emails",
      "GET /api/v3/user",
    ]);
    const exchange = new URLSearchParams(upstream[2]?.body);
    expect([...exchange.keys()].sort()).toEqual(["client_id", "client_secret", "code", "code_verifier", "redirect_uri"]);
    expect(exchange.get("redirect_uri")).toBe(`${origin}/callback`);
    // GitHub sees only the GitHub token, on the API calls; the MCP client's tokens stay on this server.
    const githubToken = app.github.tokens.get("octocat");
    expect(upstream.filter((request) => request.url.startsWith("/api/")).map((request) => request.headers.authorization)).toEqual([
      `Bearer ${githubToken}`,
      `Bearer ${githubToken}`,
      `Bearer ${githubToken}`,
    ]);
    const tokens = auth.tokens();
    const mcpSecrets = [tokens?.access_token, tokens?.refresh_token].filter((value): value is string => Boolean(value));
    expect(mcpSecrets.length).toBeGreaterThan(0);
    for (const request of upstream) {
      const seen = JSON.stringify(request);
      for (const secret of mcpSecrets) expect(seen).not.toContain(secret);
    }
  });

  it("whoami_admin answers a GitHub id in ALLOWED_GITHUB_IDS and refuses another GitHub user with a clear error", async () => {
    const admin = await connectSdkClient(`${origin}/mcp`, "streamable-http", signedInClient("octocat").auth);
    expect(await admin.callTool({ name: "whoami_admin", arguments: {} })).toEqual({
      content: [{ type: "text", text: "@octocat is on this server's admin allowlist." }],
      structuredContent: { login: "octocat", admin: true },
    });
    await admin.close();

    const other = await connectSdkClient(`${origin}/mcp`, "streamable-http", signedInClient("hubot").auth);
    expect(await other.callTool({ name: "whoami_admin", arguments: {} })).toEqual({
      isError: true,
      content: [
        {
          type: "text",
          text: "whoami_admin is restricted to the GitHub accounts in this server's ALLOWED_GITHUB_IDS; @hubot (id 1000) is not on it.",
        },
      ],
    });
    // hubot's own identity: a public email, no display name.
    const profile = (await other.callTool({ name: "get_user_data", arguments: {} })) as { structuredContent?: Record<string, unknown> };
    expect(profile.structuredContent).toMatchObject({ login: "hubot", name: null, email: "hubot@example.com" });
    await other.close();
  });
});

/** A client registered by hand, so one client can authorize more than once. */
async function manualClient(name: string): Promise<ClientRegistration> {
  return registerClient(authServer, { client_name: name, redirect_uris: ["http://127.0.0.1:65501/callback"] });
}

/** One authorization of `client` in `browser`; returns the trace and what the client needs to redeem the code. */
async function authorize(browser: HttpBrowser, client: ClientRegistration, choice: SignInChoice = {}) {
  const pkce = createPkce();
  const state = crypto.randomUUID();
  const redirectUri = client.redirect_uris[0] as string;
  const url = authorizationUrl(authServer, {
    clientId: client.client_id,
    redirectUri,
    state,
    codeChallenge: pkce.challenge,
    resource: origin,
  });
  const trace = await browser.signIn(url, choice);
  const redeem = (code: string) =>
    exchangeCode(authServer, { clientId: client.client_id, redirectUri, code, verifier: pkce.verifier, resource: origin });
  return { trace, state, redeem };
}

/** The client's redirect carries this OAuth error (with its state and our issuer) and no code. */
function expectClientError(landed: URL, state: string, description: string): void {
  expect(`${landed.origin}${landed.pathname}`).toBe("http://127.0.0.1:65501/callback");
  expect(Object.fromEntries(landed.searchParams)).toEqual({ error: "access_denied", error_description: description, state, iss: origin });
}

describe("trace context on the calls to GitHub", () => {
  const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;
  const parts = (request: RecordedRequest | undefined) => TRACEPARENT.exec(String(request?.headers.traceparent ?? ""))?.slice(1) ?? [];

  it("the sign-in's GitHub calls and the tool's GitHub call carry the request's trace id, each with a new span id", async () => {
    const mark = app.github.requests.length;
    const { auth } = signedInClient();
    const trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parent = "00f067aa0ba902b7";
    const client = await connectModernClient(`${origin}/mcp`, auth, { traceparent: `00-${trace}-${parent}-01` });
    try {
      const before = app.github.requests.length;
      const result = await client.callTool({ name: "get_user_data", arguments: {} });
      expect(result.isError).toBeFalsy();
      // The tool's call to GitHub: the client's trace, a span of this server's (not the client's).
      const call = app.github.requests.slice(before).find((request) => route(request) === "GET /api/v3/user");
      const [callTrace, callSpan] = parts(call);
      expect(callTrace).toBe(trace);
      expect(callSpan).not.toBe(parent);
      const lines = app.server
        .logs()
        .split("\n")
        .filter((line) => line.includes(trace));
      expect(lines.some((line) => line.includes('"event":"tool"') && line.includes('"tool":"get_user_data"'))).toBe(true);
    } finally {
      await client.close();
    }
    // The sign-in: the browser's /callback request started a trace; its token exchange and API calls are in it.
    const signIn = upstreamSince(mark).filter((request) =>
      ["POST /login/oauth/access_token", "GET /api/v3/user", "GET /api/v3/user/emails"].includes(route(request)),
    );
    const [first] = signIn;
    const [signInTrace] = parts(first);
    expect(signInTrace).toMatch(/^[0-9a-f]{32}$/);
    expect(signIn.length).toBeGreaterThanOrEqual(3);
    const spans = signIn.slice(0, 3).map((request) => parts(request));
    expect(spans.every(([id]) => id === signInTrace)).toBe(true);
    expect(new Set(spans.map(([, span]) => span)).size).toBe(3);
    const callback = loggedRequests(app.server.logs()).find((line) => line.route === "/callback" && line.trace_id === signInTrace);
    expect(callback?.status).toBe(302);
    // No span id a GitHub call carried is the callback request's own (each call is a child span).
    expect(spans.map(([, span]) => span)).not.toContain(callback?.span_id);
  });
});

describe("per-client consent (confused-deputy protection)", () => {
  it("a second authorization of the same client in the same browser skips the consent page; another client or browser sees it", async () => {
    const browser = new HttpBrowser(app.github);
    const first = await manualClient("first client");
    const second = await manualClient("second client");

    const initial = await authorize(browser, first);
    expect(initial.trace.consentShown).toBe(true);
    const again = await authorize(browser, first);
    expect(again.trace.consentShown).toBe(false);
    // Straight from /authorize to GitHub, and back with a code that works.
    expect(again.trace.visited.map((url) => `${url.origin}${url.pathname}`).slice(0, 2)).toEqual([
      `${origin}/authorize`,
      `${app.github.origin}/login/oauth/authorize`,
    ]);
    expect(again.trace.landed.searchParams.get("state")).toBe(again.state);
    const redeemed = await again.redeem(again.trace.landed.searchParams.get("code") ?? "");
    expect(redeemed.status).toBe(200);

    expect((await authorize(browser, second)).trace.consentShown).toBe(true);
    expect((await authorize(new HttpBrowser(app.github), first)).trace.consentShown).toBe(true);
  });

  it("deny on the consent page: the client gets access_denied, GitHub is never contacted, nothing is remembered", async () => {
    const browser = new HttpBrowser(app.github);
    const client = await manualClient("denied client");
    const mark = app.github.requests.length;
    const denied = await authorize(browser, client, { consent: "deny" });
    expectClientError(denied.trace.landed, denied.state, "The user denied the request");
    expect(upstreamSince(mark)).toEqual([]);
    expect((await authorize(browser, client)).trace.consentShown).toBe(true);
  });
});

describe("GitHub's redirect back to /callback", () => {
  it("the user cancels at GitHub: access_denied to the client, and no token request", async () => {
    const mark = app.github.requests.length;
    const cancelled = await authorize(new HttpBrowser(app.github), await manualClient("cancelled"), { github: "deny" });
    expectClientError(cancelled.trace.landed, cancelled.state, "The user declined access at GitHub");
    expect(upstreamSince(mark).map(route)).toEqual(["GET /login/oauth/authorize", "GET /login/oauth/decide"]);
  });

  it.each(["bad_verification_code", "outage"] as const)(
    "GitHub's token endpoint fails (%s): access_denied to the client, never a 500",
    async (failure) => {
      app.github.tokenFailure = failure;
      const mark = app.github.requests.length;
      const failed = await authorize(new HttpBrowser(app.github), await manualClient(`token ${failure}`));
      expectClientError(failed.trace.landed, failed.state, "GitHub sign-in failed: the GitHub authorization could not be completed");
      expect(upstreamSince(mark).map(route)).toEqual([
        "GET /login/oauth/authorize",
        "GET /login/oauth/decide",
        "POST /login/oauth/access_token",
      ]);
    },
  );

  it("a state this browser did not start is refused with a page; the real one still completes", async () => {
    const browser = new HttpBrowser(app.github);
    const { trace } = await authorize(browser, await manualClient("state check"), { stopAtCallback: true });
    const callback = trace.landed;
    expect(callback.pathname).toBe("/callback");

    const tampered = new URL(callback);
    tampered.searchParams.set("state", `${callback.searchParams.get("state")?.slice(0, -2)}xx`);
    const refused = await browser.fetch(tampered);
    expect(refused.status).toBe(400);
    expect(refused.headers.get("location")).toBeNull();
    expect(await refused.text()).toContain("This authorization was not started in this browser; start again");

    const real = await browser.fetch(callback);
    expect(real.status).toBe(302);
    expect(new URL(real.headers.get("location") ?? "").searchParams.get("code")).toBeTruthy();
  });

  it("a callback arriving in another browser session is refused before the code is used; a replay is refused too", async () => {
    const browser = new HttpBrowser(app.github);
    const { trace } = await authorize(browser, await manualClient("session check"), { stopAtCallback: true });
    const mark = app.github.requests.length;

    const elsewhere = await new HttpBrowser(app.github).fetch(trace.landed);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers.get("location")).toBeNull();
    expect(await elsewhere.text()).toContain("This authorization was not started in this browser; start again");
    // GitHub's code was never exchanged for the other browser.
    expect(upstreamSince(mark)).toEqual([]);

    expect((await browser.fetch(trace.landed)).status).toBe(302);
    const replay = await browser.fetch(trace.landed);
    expect(replay.status).toBe(400);
    expect(replay.headers.get("location")).toBeNull();
  });
});

describe("mcp-remote (the stdio bridge Claude Desktop runs)", () => {
  it("signs in through /sse with --transport sse-only and calls get_user_data", async () => {
    const configDir = mkdtempSync(join(tmpdir(), "mcp-remote-github-"));
    const browser = new HttpBrowser(app.github);
    const run = await connectMcpRemote({
      url: `${origin}/sse`,
      configDir,
      callbackPort: await freePort(),
      args: ["--transport", "sse-only"],
      browse: browser.browse,
    });
    try {
      const result = await run.client.callTool({ name: "get_user_data", arguments: {} });
      expect(result.structuredContent).toEqual(octocatProfile());
      expect(run.authorizations).toHaveLength(1);
      expect(run.authorizations[0]?.origin).toBe(origin);
    } finally {
      await run.close();
      rmSync(configDir, { recursive: true, force: true });
    }
  });
});
