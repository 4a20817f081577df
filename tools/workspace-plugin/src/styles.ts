/** The auth styles an app can be generated from; each has a real app in apps/ that the template is kept equal to. */
export const AUTH_STYLES = ["mock", "github", "authless", "bearer"] as const;
export type AuthStyle = (typeof AUTH_STYLES)[number];

export interface StyleInfo {
  /** The app in apps/ this style's template is derived from (tests keep them equal modulo names). */
  reference: string;
  /** Its standalone template's folder under templates/ (a project of its own on the published libs). */
  template: string;
  /** The auth adapter its src/index.ts hands createMcpApp, which is how an app's style is recognised. */
  adapter: "publicAccess" | "oauth" | "bearer";
  /** For OAuth apps: the sign-in handler that tells mock from GitHub. */
  handler?: string;
  /** In the apps table: how clients authenticate. */
  label: string;
  /** Appended to a generated app's title, e.g. "Weather (mock OAuth)". */
  titleSuffix: string;
  /** In the README's "Which one to start from". */
  choose: string;
  /** The tools a generated app serves (the reference app's). */
  tools: readonly string[];
}

export const STYLES: Record<AuthStyle, StyleInfo> = {
  authless: {
    reference: "remote-mcp-authless",
    template: "authless",
    adapter: "publicAccess",
    label: "None: a public server",
    titleSuffix: "authless",
    choose: "anyone may call your tools (public data, no side effects); the simplest start.",
    tools: ["add", "calculate", "count_slowly"],
  },
  mock: {
    reference: "remote-mcp-server",
    template: "mock-oauth",
    adapter: "oauth",
    handler: "mockAuthHandler",
    label: "OAuth 2.1: the server is its own authorization server, with a mock sign-in and consent page",
    titleSuffix: "mock OAuth",
    choose: "MCP clients should sign users in with OAuth and you will plug in your own identity provider (replace the mock page).",
    tools: ["add", "calculate", "count_slowly"],
  },
  github: {
    reference: "remote-mcp-github-oauth",
    template: "github-oauth",
    adapter: "oauth",
    handler: "githubAuthHandler",
    label: "OAuth 2.1 with GitHub as the identity provider",
    titleSuffix: "GitHub sign-in",
    choose: "your users have GitHub accounts and tools act on their GitHub data (the server keeps the GitHub token; clients never see it).",
    tools: ["add", "get_user_data", "whoami_admin", "count_slowly"],
  },
  bearer: {
    reference: "remote-mcp-bearer-auth",
    template: "bearer-auth",
    adapter: "bearer",
    label: "Bearer token in the Authorization header (API keys, or tokens your user backend issues)",
    titleSuffix: "bearer token",
    choose: "callers already hold a token from your system (API keys, a user backend) and no interactive sign-in is wanted.",
    tools: ["add", "calculate", "getToken", "get_user_data", "count_slowly"],
  },
};

/** Recognises an app's auth style from its src/index.ts; undefined for anything that is not one of the templates. */
export function detectStyle(indexSource: string): AuthStyle | undefined {
  return AUTH_STYLES.find((style) => {
    const info = STYLES[style];
    const composed = indexSource.includes("createMcpApp") && new RegExp(`\\b${info.adapter}[<(]`).test(indexSource);
    return composed && (!info.handler || indexSource.includes(info.handler));
  });
}

/** One line per tool a template serves, for generated READMEs. */
export const TOOL_SUMMARIES: Record<string, string> = {
  add: "Adds two numbers.",
  calculate: "Adds, subtracts, multiplies or divides two numbers; division by zero and inexact results are tool errors.",
  count_slowly: "Counts up with a delay, reporting progress; stops when the client cancels.",
  getToken: "Shows which bearer credential arrived (masked, with a fingerprint), never the token itself.",
  get_user_data: "The caller's profile, from the identity behind the token.",
  whoami_admin: "Answers only for the GitHub accounts listed (by numeric id) in ALLOWED_GITHUB_IDS.",
  greet: "Greets someone by name; hosts that render MCP Apps show the greeting in an interactive view (`ui/greeting`).",
};
