import { env } from "cloudflare:workers";
import { GitHubProps, githubAuthHandler, githubSignInLabel } from "@remote-mcp-workers/auth-handlers";
import { createMcpApp, oauth } from "@remote-mcp-workers/mcp-app";
import { add, demoPrompts, demoResources, demoTools, githubTools } from "./tools/index.js";

const scopes = { supported: ["mcp:tools", "offline_access"], required: ["mcp:tools"] };

const app = createMcpApp<Env>({
  server: {
    name: "mcp-server-github-oauth",
    title: "My MCP server (GitHub sign-in)",
    version: "1.0.0",
    instructions:
      "Sign in with GitHub. get_user_data returns your GitHub profile; whoami_admin works only for the GitHub accounts in ALLOWED_GITHUB_IDS.",
    tools: [add, ...githubTools, ...demoTools],
    resources: demoResources,
    prompts: demoPrompts,
  },
  auth: oauth<GitHubProps, Env>({
    identity: {
      handler: githubAuthHandler({ defaultScopes: scopes.required }),
      props: GitHubProps,
      // GitHub's numeric id: a login can be renamed and registered again by someone else.
      userId: (props) => String(props.id),
      // Read per request, so the landing page says when the GitHub secrets are missing.
      get label() {
        return githubSignInLabel(env);
      },
    },
    scopes,
  }),
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
export const McpTasks = app.McpTasks;
