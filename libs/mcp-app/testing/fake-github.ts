import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { escapeHtml } from "@repo/mcp-core";
import { type DevServer, type DevServerOptions, startDevServer } from "./dev-server.js";

/**
 * A stand-in for GitHub (an external service these offline tests cannot reach), on a free loopback
 * port: the OAuth App authorize page, the token endpoint with PKCE, and the REST API's /user and
 * /user/emails under a GitHub Enterprise-style /api/v3 base. It checks what real GitHub checks and
 * records every request, so tests can assert on what the server sent upstream. Sign in through it
 * with HttpBrowser (github-browser.ts).
 */

export interface FakeUser {
  login: string;
  id: number;
  name: string | null;
  /** The public profile email; null when the user keeps it private. */
  email: string | null;
  emails: { email: string; primary: boolean; verified: boolean; visibility: string | null }[];
}

export const USERS: Record<string, FakeUser> = {
  octocat: {
    login: "octocat",
    id: 583231,
    name: "The Octocat",
    email: null,
    emails: [
      { email: "octocat@old.example", primary: false, verified: true, visibility: null },
      { email: "octocat@users.example", primary: true, verified: true, visibility: "private" },
    ],
  },
  hubot: { login: "hubot", id: 1000, name: null, email: "hubot@example.com", emails: [] },
};

/** The browser's GitHub session: which user is signed in at the fake (defaults to octocat). */
export const SESSION_COOKIE = "fake_github_user";

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface PendingAuthorization {
  login: string;
  redirectUri: string;
  state: string;
  challenge: string;
}

interface IssuedCode {
  login: string;
  redirectUri: string;
  challenge: string;
  expires: number;
}

export interface FakeGitHub {
  origin: string;
  clientId: string;
  clientSecret: string;
  /** The wrangler vars that point the server at this fake. */
  vars: Record<string, string>;
  /** Every request received, oldest first. */
  requests: RecordedRequest[];
  /** GitHub tokens issued so far, by login. */
  tokens: Map<string, string>;
  /** Makes the token endpoint fail: GitHub's 200-with-error for a bad code, or an outage. */
  tokenFailure: "bad_verification_code" | "outage" | undefined;
  close(): Promise<void>;
}

const PAGE_HEADERS = { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" };

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
      if (body.length > 64 * 1024) request.destroy(new Error("body too large"));
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}

function cookie(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const pair of (headers.cookie ?? "").split(/;\s*/)) {
    const index = pair.indexOf("=");
    if (index > 0 && pair.slice(0, index) === name) return pair.slice(index + 1);
  }
  return undefined;
}

/** Starts the fake on a free loopback port; `clientId`/`clientSecret` are the only OAuth App it knows. */
export async function startFakeGitHub(): Promise<FakeGitHub> {
  const clientId = `Iv1.${randomBytes(8).toString("hex")}`;
  const clientSecret = randomBytes(20).toString("hex");
  const pending = new Map<string, PendingAuthorization>();
  const codes = new Map<string, IssuedCode>();
  const tokenOwners = new Map<string, string>();

  const fake: FakeGitHub = {
    origin: "",
    clientId,
    clientSecret,
    vars: {},
    requests: [],
    tokens: new Map(),
    tokenFailure: undefined,
    close: async () => {},
  };

  /** GET /login/oauth/authorize: validates the request like GitHub, then shows the authorize page. */
  function authorize(url: URL, request: IncomingMessage, response: ServerResponse): void {
    const query = url.searchParams;
    const redirectUri = query.get("redirect_uri") ?? "";
    if (query.get("client_id") !== clientId) {
      response.writeHead(404, PAGE_HEADERS).end("<h1>Not found: unknown OAuth App client_id</h1>");
      return;
    }
    if (!redirectUri.endsWith("/callback") || query.get("code_challenge_method") !== "S256" || !query.get("code_challenge")) {
      response.writeHead(400, PAGE_HEADERS).end("<h1>Bad request: redirect_uri and an S256 code_challenge are required</h1>");
      return;
    }
    const login = cookie(request.headers, SESSION_COOKIE) ?? "octocat";
    if (!USERS[login]) {
      response.writeHead(400, PAGE_HEADERS).end(`<h1>No such user ${escapeHtml(login)}</h1>`);
      return;
    }
    const id = randomBytes(16).toString("hex");
    pending.set(id, { login, redirectUri, state: query.get("state") ?? "", challenge: query.get("code_challenge") ?? "" });
    const decide = (decision: string) => `/login/oauth/decide?${new URLSearchParams({ request: id, decision })}`;
    response.writeHead(200, PAGE_HEADERS).end(`<!doctype html>
<title>Authorize application</title>
<h1>Authorize the MCP server's OAuth App</h1>
<p>Signed in as <strong id="login">${escapeHtml(login)}</strong>. Scopes: <code>${escapeHtml(query.get("scope") ?? "")}</code></p>
<a id="authorize" href="${escapeHtml(decide("allow"))}">Authorize</a>
<a id="cancel" href="${escapeHtml(decide("deny"))}">Cancel</a>`);
  }

  /** The user's choice on the authorize page: back to the app's callback with a code, or with error=access_denied. */
  function decide(url: URL, response: ServerResponse): void {
    const id = url.searchParams.get("request") ?? "";
    const authorization = pending.get(id);
    pending.delete(id);
    if (!authorization) {
      response.writeHead(400, PAGE_HEADERS).end("<h1>This authorization request expired</h1>");
      return;
    }
    const target = new URL(authorization.redirectUri);
    if (url.searchParams.get("decision") === "allow") {
      const code = randomBytes(10).toString("hex");
      codes.set(code, { ...authorization, expires: Date.now() + 10 * 60_000 });
      target.searchParams.set("code", code);
    } else {
      target.searchParams.set("error", "access_denied");
      target.searchParams.set("error_description", "The user has denied your application access.");
    }
    target.searchParams.set("state", authorization.state);
    response.writeHead(302, { Location: target.href }).end();
  }

  /** POST /login/oauth/access_token: client credentials, a single-use code, its redirect URI and the PKCE verifier. */
  function token(body: string, headers: IncomingHttpHeaders, response: ServerResponse) {
    if (fake.tokenFailure === "outage") {
      response.writeHead(503, { "Content-Type": "text/plain" }).end("Service Unavailable");
      return;
    }
    const form = headers["content-type"]?.startsWith("application/json")
      ? new URLSearchParams(JSON.parse(body) as Record<string, string>)
      : new URLSearchParams(body);
    // GitHub answers errors with 200 and an `error` field when asked for JSON.
    const refuse = (error: string, description: string) => json(response, 200, { error, error_description: description });
    if (!headers.accept?.includes("application/json")) return refuse("unsupported_accept", "ask for application/json");
    if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret) {
      return refuse("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.");
    }
    const code = form.get("code") ?? "";
    const issued = codes.get(code);
    codes.delete(code);
    if (fake.tokenFailure === "bad_verification_code" || !issued || issued.expires < Date.now()) {
      return refuse("bad_verification_code", "The code passed is incorrect or expired.");
    }
    if (form.get("redirect_uri") !== issued.redirectUri) return refuse("redirect_uri_mismatch", "The redirect_uri does not match.");
    const verifier = form.get("code_verifier") ?? "";
    if (createHash("sha256").update(verifier).digest("base64url") !== issued.challenge) {
      return refuse("bad_verification_code", "The code_verifier does not match the code_challenge.");
    }
    const accessToken = `gho_${randomBytes(18).toString("base64url")}`;
    tokenOwners.set(accessToken, issued.login);
    fake.tokens.set(issued.login, accessToken);
    json(response, 200, { access_token: accessToken, token_type: "bearer", scope: "read:user,user:email" });
  }

  /** The REST API: requires a User-Agent and a token this fake issued, as GitHub does. */
  function api(path: string, headers: IncomingHttpHeaders, response: ServerResponse) {
    if (!headers["user-agent"]) return json(response, 403, { message: "Request forbidden: a User-Agent header is required" });
    const [scheme, credential] = (headers.authorization ?? "").split(" ");
    const login = scheme && /^(bearer|token)$/i.test(scheme) && credential ? tokenOwners.get(credential) : undefined;
    const user = login ? USERS[login] : undefined;
    if (!user) return json(response, 401, { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" });
    if (path === "/user") {
      const { emails: _, ...profile } = user;
      return json(response, 200, {
        ...profile,
        company: "@github",
        location: "San Francisco",
        html_url: `${fake.origin}/${user.login}`,
        public_repos: 8,
        followers: 42,
        following: 9,
        created_at: "2011-01-25T18:44:36Z",
      });
    }
    if (path === "/user/emails") return json(response, 200, user.emails);
    json(response, 404, { message: "Not Found" });
  }

  const server = createServer(async (request, response) => {
    try {
      const body = await readBody(request);
      fake.requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers, body });
      const url = new URL(request.url ?? "/", fake.origin);
      const route = `${request.method} ${url.pathname}`;
      if (route === "GET /login/oauth/authorize") return authorize(url, request, response);
      if (route === "GET /login/oauth/decide") return decide(url, response);
      if (route === "POST /login/oauth/access_token") return token(body, request.headers, response);
      if (request.method === "GET" && url.pathname.startsWith("/api/v3/"))
        return api(url.pathname.slice("/api/v3".length), request.headers, response);
      json(response, 404, { message: "Not Found" });
    } catch (error) {
      response.writeHead(500, { "Content-Type": "text/plain" }).end(String(error));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  fake.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.vars = {
    GITHUB_CLIENT_ID: clientId,
    GITHUB_CLIENT_SECRET: clientSecret,
    CONSENT_SECRET: randomBytes(32).toString("hex"),
    GITHUB_AUTHORIZE_URL: `${fake.origin}/login/oauth/authorize`,
    GITHUB_TOKEN_URL: `${fake.origin}/login/oauth/access_token`,
    GITHUB_API_URL: `${fake.origin}/api/v3`,
  };
  fake.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return fake;
}

/** An app that signs in with GitHub, under `wrangler dev` and pointed at a fake GitHub. */
export interface AppWithFakeGitHub {
  server: DevServer;
  github: FakeGitHub;
  /** Stops the app and the fake. */
  stop(): Promise<void>;
}

/** Starts a fake GitHub, then `wrangler dev` with its vars (`options.vars` are added and win). */
export async function startWithFakeGitHub(options: DevServerOptions): Promise<AppWithFakeGitHub> {
  const github = await startFakeGitHub();
  try {
    const server = await startDevServer({ ...options, vars: { ...github.vars, ...options.vars } });
    return {
      server,
      github,
      stop: async () => {
        await Promise.all([server.stop(), github.close()]);
      },
    };
  } catch (error) {
    await github.close();
    throw error;
  }
}
