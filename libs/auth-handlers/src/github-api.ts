import { tracedCall } from "@repo/mcp-core";
import * as z from "zod";
import type { GitHubConfig } from "./github-config.js";

/** Bounds every call to GitHub so a slow upstream cannot hold the sign-in open. */
const TIMEOUT_MS = 10_000;
const USER_AGENT = "remote-mcp-github-oauth";

/** A GitHub call either succeeds or says why not, in words fit for a log line (no token, no code). */
export type Upstream<T> = { ok: true; value: T } | { ok: false; reason: string };

const TokenResponse = z.object({ access_token: z.string().min(1) });
const TokenError = z.object({ error: z.string(), error_description: z.string().optional() });
const User = z.object({
  id: z.number().int().positive(),
  login: z.string().min(1),
  name: z.string().nullish(),
  email: z.string().nullish(),
});
const Emails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/** The signed-in GitHub user, as the grant will record them. */
export interface GitHubIdentity {
  /** GitHub's numeric user id: stable, unlike the login, which can be renamed and then registered by someone else. */
  id: number;
  login: string;
  /** The display name, or the login when the profile has none. */
  name: string;
  /** The public email, else the primary verified one, else null. */
  email: string | null;
}

async function call(url: string, init: { method?: string; headers: Record<string, string>; body?: BodyInit }): Promise<Upstream<unknown>> {
  let response: Response;
  try {
    const method = init.method ?? "GET";
    // A client span with a traceparent of the same trace: method, host and path only (no code, no token).
    response = await tracedCall(`${method} ${new URL(url).pathname}`, { method, url }, (trace) =>
      fetch(url, { ...init, headers: { ...init.headers, ...trace }, signal: AbortSignal.timeout(TIMEOUT_MS) }),
    );
  } catch (error) {
    return { ok: false, reason: `${new URL(url).pathname} unreachable (${error instanceof Error ? error.name : "error"})` };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return { ok: false, reason: `${new URL(url).pathname} answered ${response.status}` };
  }
  try {
    return { ok: true, value: await response.json() };
  } catch {
    return { ok: false, reason: `${new URL(url).pathname} answered with something other than JSON` };
  }
}

/**
 * Exchanges GitHub's authorization code (with the client secret and the PKCE verifier) for a GitHub
 * access token. GitHub reports a bad code with HTTP 200 and an `error` field, so both are checked.
 */
export async function exchangeGitHubCode(
  config: GitHubConfig,
  grant: { code: string; verifier: string; redirectUri: string },
): Promise<Upstream<string>> {
  const answer = await call(config.tokenUrl, {
    method: "POST",
    headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT },
    body: new URLSearchParams({
      client_id: config.clientId,
      client_secret: config.clientSecret,
      code: grant.code,
      redirect_uri: grant.redirectUri,
      code_verifier: grant.verifier,
    }),
  });
  if (!answer.ok) return answer;
  const token = TokenResponse.safeParse(answer.value);
  if (token.success) return { ok: true, value: token.data.access_token };
  const error = TokenError.safeParse(answer.value);
  return { ok: false, reason: error.success ? `token endpoint refused: ${error.data.error}` : "token endpoint answered without a token" };
}

/** GET on GitHub's REST API with the user's GitHub token (never the MCP client's token). */
function api(config: GitHubConfig, token: string, path: string): Promise<Upstream<unknown>> {
  return call(`${config.apiUrl}${path}`, {
    headers: {
      Accept: "application/vnd.github+json",
      Authorization: `Bearer ${token}`,
      "User-Agent": USER_AGENT,
      "X-GitHub-Api-Version": "2022-11-28",
    },
  });
}

/** Reads who signed in: login and name from /user, and the email from /user/emails when the profile hides it. */
export async function fetchGitHubIdentity(config: GitHubConfig, token: string): Promise<Upstream<GitHubIdentity>> {
  const answer = await api(config, token, "/user");
  if (!answer.ok) return answer;
  const user = User.safeParse(answer.value);
  if (!user.success) return { ok: false, reason: "/user answered without a numeric id and a login" };
  const { id, login, name, email } = user.data;
  const identity: GitHubIdentity = { id, login, name: name?.trim() || login, email: email || null };
  if (identity.email) return { ok: true, value: identity };
  // A private email is not fatal: the grant records null and sign-in goes on.
  const emails = await api(config, token, "/user/emails");
  const list = emails.ok ? Emails.safeParse(emails.value) : undefined;
  const primary = list?.success ? list.data.find((entry) => entry.primary && entry.verified) : undefined;
  return { ok: true, value: { ...identity, email: primary?.email ?? null } };
}
