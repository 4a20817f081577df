import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthDiscoveryState, OAuthTokens } from "@modelcontextprotocol/client";
import type { AddClientAuthentication } from "@modelcontextprotocol/sdk/client/auth.js";

/**
 * An OAuth client provider for the MCP SDK clients (v1 and v2 share the interface) that keeps
 * everything in memory and, instead of opening a browser, hands the authorization URL to `browse`,
 * which plays the user and returns the URL the browser was finally redirected to.
 */
export class TestOAuthProvider {
  private info: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = "";
  private discovery: OAuthDiscoveryState | undefined;
  /** The code (or error) the last authorization ended with. */
  lastRedirect: URL | undefined;
  /**
   * Set, the client identifies with this Client ID Metadata Document URL (where the server
   * advertises support) instead of registering; the document must list `redirectUrl`.
   */
  clientMetadataUrl: string | undefined;
  /** Set, the client authenticates at the token endpoint this way (e.g. the SDK's private_key_jwt). */
  addClientAuthentication: AddClientAuthentication | undefined;

  constructor(
    private readonly browse: (authorizationUrl: URL) => Promise<URL>,
    readonly redirectUrl = "http://127.0.0.1:65500/callback",
    private readonly name = "e2e test client",
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.name,
      redirect_uris: [String(this.redirectUrl)],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  }
  clientInformation() {
    return this.info;
  }
  saveClientInformation(info: OAuthClientInformationMixed) {
    this.info = info;
  }
  tokens() {
    return this.saved;
  }
  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }
  /** Drops the tokens (keeping the registration), so the next connection signs in again: a new grant for the same client. */
  forgetTokens() {
    this.saved = undefined;
  }
  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }
  codeVerifier() {
    return this.verifier;
  }
  /** Lets the v2 client check that the code comes back from the server it was sent to (SEP-2352). */
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.discovery = state;
  }
  discoveryState() {
    return this.discovery;
  }
  async redirectToAuthorization(url: URL) {
    this.lastRedirect = await this.browse(url);
  }
  /** The authorization code from the last redirect; throws with the OAuth error otherwise. */
  code(): string {
    const code = this.lastRedirect?.searchParams.get("code");
    if (!code) throw new Error(`authorization ended without a code: ${this.lastRedirect}`);
    return code;
  }
}

/** Collects Set-Cookie values into a Cookie header, like a browser for one origin. */
export function cookieHeader(response: Response, existing = ""): string {
  const jar = new Map(
    existing
      .split("; ")
      .filter(Boolean)
      .map((pair) => pair.split("=", 2) as [string, string]),
  );
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const index = pair?.indexOf("=") ?? -1;
    if (pair && index > 0) jar.set(pair.slice(0, index), pair.slice(index + 1));
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
}

export interface MockSignIn {
  decision?: "approve" | "deny";
  email?: string;
  password?: string;
}

/**
 * Plays a browser through the mock sign-in + consent page with plain HTTP: GET the page, keep its
 * cookie, post the form with the handle. Returns the redirect target (the client's callback).
 */
export async function mockSignIn(authorizationUrl: URL, choice: MockSignIn = {}): Promise<URL> {
  const page = await fetch(authorizationUrl, { redirect: "manual" });
  if (page.status === 302) return new URL(page.headers.get("location") as string);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`authorization page answered ${page.status}: ${html.slice(0, 300)}`);
  const handle = /name="handle" value="([^"]+)"/.exec(html)?.[1];
  if (!handle) throw new Error("no consent handle on the authorization page");
  const form = new URLSearchParams({
    handle,
    decision: choice.decision ?? "approve",
    email: choice.email ?? "ada@example.com",
    password: choice.password ?? "correct horse",
  });
  const posted = await fetch(authorizationUrl, {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookieHeader(page), Origin: authorizationUrl.origin },
    body: form,
  });
  const location = posted.headers.get("location");
  if (posted.status !== 302 || !location) throw new Error(`consent answered ${posted.status}: ${(await posted.text()).slice(0, 300)}`);
  return new URL(location);
}
