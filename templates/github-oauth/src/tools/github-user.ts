import { defineTool, isLoopbackHost, TOOLS_SCOPE, toolError, toolResult, tracedCall } from "@remote-mcp-workers/mcp-core";
import * as z from "zod";

/**
 * What these tools need from a caller signed in with GitHub: the grant props the GitHub sign-in
 * (libs/auth-handlers) stores. `accessToken` is the user's GitHub token, not the MCP token.
 */
export const GitHubCaller = z.object({
  id: z.number().int().positive(),
  login: z.string().min(1),
  email: z.string().nullish(),
  accessToken: z.string().min(1),
});

const DEFAULT_API_URL = "https://api.github.com";
const TIMEOUT_MS = 10_000;

const setting = (env: unknown, key: string): string | undefined => {
  const value = env && typeof env === "object" ? (env as Record<string, unknown>)[key] : undefined;
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
};

/** GITHUB_API_URL (GitHub Enterprise Server: https://HOST/api/v3), https or loopback http only. */
function apiBase(env: unknown): string | undefined {
  const raw = setting(env, "GITHUB_API_URL") ?? DEFAULT_API_URL;
  try {
    const url = new URL(raw);
    if (url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname))) return raw.replace(/\/+$/, "");
  } catch {}
  return undefined;
}

/**
 * The GitHub user ids in ALLOWED_GITHUB_IDS: comma-separated, each a numeric id, optionally labelled
 * with a login for people reading the config (`octocat:583231`; only the id is compared, since a
 * login can be renamed and then registered by someone else; `https://api.github.com/users/<login>`
 * shows a login's id). Entries that are not ids are ignored.
 */
export function allowedGitHubIds(env: unknown): Set<number> {
  const list = setting(env, "ALLOWED_GITHUB_IDS") ?? "";
  const ids = list.split(",").map((entry) => /^\s*(?:[A-Za-z0-9-]+:)?(\d{1,12})\s*$/.exec(entry)?.[1]);
  return new Set(ids.filter((id) => id !== undefined).map(Number));
}

const GitHubUser = z.object({
  login: z.string(),
  id: z.number(),
  name: z.string().nullish(),
  email: z.string().nullish(),
  company: z.string().nullish(),
  location: z.string().nullish(),
  html_url: z.string(),
  public_repos: z.number(),
  followers: z.number(),
  following: z.number(),
  created_at: z.string(),
});

const Profile = z.object({
  login: z.string().describe("GitHub login"),
  id: z.number().describe("GitHub's numeric user id (stable across login changes)"),
  name: z.string().nullable(),
  email: z.string().nullable().describe("Public email, else the primary verified email recorded at sign-in"),
  company: z.string().nullable(),
  location: z.string().nullable(),
  profileUrl: z.string(),
  publicRepos: z.number(),
  followers: z.number(),
  following: z.number(),
  createdAt: z.string(),
});

const NOT_SIGNED_IN = "This tool needs a connection signed in with GitHub; this one carries no GitHub identity.";

export const githubUserData = defineTool({
  name: "get_user_data",
  title: "My GitHub profile",
  description:
    "Returns the signed-in user's GitHub profile (login, name, email, company, location, profile URL, public repos, followers), read from GitHub with the user's own GitHub authorization.",
  inputSchema: z.object({}),
  outputSchema: Profile,
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: true, destructiveHint: false },
  scopes: [TOOLS_SCOPE],
  handler: async (_args, ctx) => {
    const caller = GitHubCaller.safeParse(ctx.props);
    if (!caller.success) return toolError(NOT_SIGNED_IN);
    const base = apiBase(ctx.env);
    if (!base) return toolError("GITHUB_API_URL is misconfigured on this server (it must be an https URL); ask the operator.");
    let response: Response;
    try {
      const url = `${base}/user`;
      response = await tracedCall("GET /user", { method: "GET", url }, (trace) =>
        fetch(url, {
          headers: {
            ...trace,
            Accept: "application/vnd.github+json",
            // The GitHub token from the grant; the MCP client's token never leaves this server.
            Authorization: `Bearer ${caller.data.accessToken}`,
            "User-Agent": "remote-mcp-github-oauth",
            "X-GitHub-Api-Version": "2022-11-28",
          },
          signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(TIMEOUT_MS)]),
        }),
      );
    } catch {
      if (ctx.signal.aborted) return toolError("The request to GitHub was cancelled.");
      return toolError("GitHub could not be reached (or did not answer within 10 s); try again later.");
    }
    if (response.status === 401) {
      await response.body?.cancel();
      return toolError(
        "GitHub no longer accepts this sign-in (the authorization was revoked or expired). Reconnect to sign in with GitHub again.",
      );
    }
    if (!response.ok) {
      await response.body?.cancel();
      const hint = response.status === 403 || response.status === 429 ? " (possibly a rate limit)" : "";
      return toolError(`GitHub answered HTTP ${response.status}${hint}; try again later.`);
    }
    const user = GitHubUser.safeParse(await response.json().catch(() => undefined));
    if (!user.success) return toolError("GitHub answered with something that is not a user profile.");
    const { data } = user;
    const profile: z.output<typeof Profile> = {
      login: data.login,
      id: data.id,
      name: data.name ?? null,
      email: data.email ?? caller.data.email ?? null,
      company: data.company ?? null,
      location: data.location ?? null,
      profileUrl: data.html_url,
      publicRepos: data.public_repos,
      followers: data.followers,
      following: data.following,
      createdAt: data.created_at,
    };
    return toolResult(profile, `${profile.name ?? profile.login} (@${profile.login}) ${profile.profileUrl}`);
  },
});

export const whoamiAdmin = defineTool({
  name: "whoami_admin",
  title: "Am I an admin?",
  description:
    "Confirms that the signed-in GitHub user is on this server's admin allowlist (ALLOWED_GITHUB_IDS). A harmless demo of per-user access control: anyone else gets an error.",
  inputSchema: z.object({}),
  outputSchema: z.object({ login: z.string(), admin: z.literal(true) }),
  annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false, destructiveHint: false },
  scopes: [TOOLS_SCOPE],
  handler: (_args, ctx) => {
    const caller = GitHubCaller.safeParse(ctx.props);
    if (!caller.success) return toolError(NOT_SIGNED_IN);
    const { id, login } = caller.data;
    const allowed = allowedGitHubIds(ctx.env);
    if (!allowed.has(id)) {
      const why = allowed.size === 0 ? "ALLOWED_GITHUB_IDS is empty, so no one may call it" : `@${login} (id ${id}) is not on it`;
      return toolError(`whoami_admin is restricted to the GitHub accounts in this server's ALLOWED_GITHUB_IDS; ${why}.`);
    }
    return toolResult({ login, admin: true as const }, `@${login} is on this server's admin allowlist.`);
  },
});

/** The tools a GitHub-signed-in server adds to its set. */
export const githubTools = [githubUserData, whoamiAdmin] as const;
