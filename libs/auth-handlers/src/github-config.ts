import { isLoopbackHost } from "@repo/mcp-core";

/** What the GitHub sign-in reads from the Worker's env: vars, and secrets from .dev.vars or `wrangler secret put`. */
export interface GitHubEnv {
  GITHUB_CLIENT_ID?: string;
  GITHUB_CLIENT_SECRET?: string;
  /** HMAC key for remembered consent, 32+ characters. */
  CONSENT_SECRET?: string;
  /** Accepted in place of CONSENT_SECRET (the name Cloudflare's GitHub demo uses). */
  COOKIE_ENCRYPTION_KEY?: string;
  /** GitHub Enterprise Server: https://HOST/login/oauth/authorize */
  GITHUB_AUTHORIZE_URL?: string;
  /** GitHub Enterprise Server: https://HOST/login/oauth/access_token */
  GITHUB_TOKEN_URL?: string;
  /** GitHub Enterprise Server: https://HOST/api/v3 */
  GITHUB_API_URL?: string;
}

export const GITHUB_DEFAULTS = {
  authorizeUrl: "https://github.com/login/oauth/authorize",
  tokenUrl: "https://github.com/login/oauth/access_token",
  apiUrl: "https://api.github.com",
} as const;

export interface GitHubConfig {
  clientId: string;
  clientSecret: string;
  consentSecret: string;
  authorizeUrl: string;
  tokenUrl: string;
  /** Without a trailing slash: paths are appended (`${apiUrl}/user`), so an Enterprise `/api/v3` base is kept. */
  apiUrl: string;
}

export type GitHubConfigResult = { ok: true; config: GitHubConfig } | { ok: false; problems: string[] };

const MIN_SECRET_LENGTH = 32;

/** An https URL, or http on loopback (a local fake GitHub in tests); anything else is a misconfiguration. */
function endpoint(name: string, value: string | undefined, fallback: string, problems: string[]): string {
  const raw = value?.trim() || fallback;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push(`${name} is not a URL`);
    return raw;
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    problems.push(`${name} must be an https URL (http only on localhost)`);
  }
  return raw.replace(/\/+$/, "");
}

/** Reads and checks the configuration once per request; names every problem, never a value. */
export function readGitHubConfig(env: GitHubEnv): GitHubConfigResult {
  const problems: string[] = [];
  const clientId = env.GITHUB_CLIENT_ID?.trim() ?? "";
  const clientSecret = env.GITHUB_CLIENT_SECRET?.trim() ?? "";
  const consentSecret = env.CONSENT_SECRET || env.COOKIE_ENCRYPTION_KEY || "";
  if (!clientId) problems.push("GITHUB_CLIENT_ID is not set");
  if (!clientSecret) problems.push("GITHUB_CLIENT_SECRET is not set");
  if (!consentSecret) problems.push("CONSENT_SECRET (or COOKIE_ENCRYPTION_KEY) is not set");
  else if (consentSecret.length < MIN_SECRET_LENGTH) {
    problems.push(`CONSENT_SECRET (or COOKIE_ENCRYPTION_KEY) must be at least ${MIN_SECRET_LENGTH} characters`);
  }
  const authorizeUrl = endpoint("GITHUB_AUTHORIZE_URL", env.GITHUB_AUTHORIZE_URL, GITHUB_DEFAULTS.authorizeUrl, problems);
  const tokenUrl = endpoint("GITHUB_TOKEN_URL", env.GITHUB_TOKEN_URL, GITHUB_DEFAULTS.tokenUrl, problems);
  const apiUrl = endpoint("GITHUB_API_URL", env.GITHUB_API_URL, GITHUB_DEFAULTS.apiUrl, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config: { clientId, clientSecret, consentSecret, authorizeUrl, tokenUrl, apiUrl } };
}

/** The landing page's one-line description of the sign-in, saying plainly when it cannot work yet. */
export function githubSignInLabel(env: GitHubEnv): string {
  const result = readGitHubConfig(env);
  if (!result.ok) return `OAuth 2.1 with GitHub sign-in: NOT CONFIGURED (${result.problems.join("; ")}). See the README.`;
  return `OAuth 2.1 with GitHub sign-in (${new URL(result.config.authorizeUrl).host})`;
}
