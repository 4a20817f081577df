import { type AppWithFakeGitHub, type DevServer, startDevServer, startWithFakeGitHub } from "@repo/mcp-app/testing";

export const APP_DIR = new URL("..", import.meta.url).pathname;

/** Who may call whoami_admin in these tests. */
export const ADMIN = "octocat";

/** This app as its e2e tests run it: the server, and the fake GitHub it signs in with. */
export type App = AppWithFakeGitHub;

/** The fake GitHub, and `wrangler dev` for this app pointed at it (secrets passed as --var). */
export function startApp(vars: Record<string, string> = {}): Promise<App> {
  // The admin by GitHub id (the fake octocat is 583231), labelled with its login; the login alone admits no one.
  return startWithFakeGitHub({ cwd: APP_DIR, vars: { ...vars, ALLOWED_GITHUB_IDS: `hubot-fan:7, ${ADMIN}:583231` } });
}

/** `wrangler dev` without the GitHub secrets (empty values override a developer's own .dev.vars). */
export function startUnconfiguredApp(): Promise<DevServer> {
  const empty = { GITHUB_CLIENT_ID: "", GITHUB_CLIENT_SECRET: "", CONSENT_SECRET: "", COOKIE_ENCRYPTION_KEY: "" };
  return startDevServer({ cwd: APP_DIR, vars: empty });
}
