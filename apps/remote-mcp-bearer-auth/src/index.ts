import { apiKeyValidator, backendValidator } from "@repo/auth-handlers";
import { bearer, createMcpApp } from "@repo/mcp-app";
import { demoPrompts, demoResources, demoTools, getToken, getUserData, mathTools, userForCredential } from "@repo/mcp-tools";
import { mathResources } from "@repo/mcp-tools/views/calculator";
import { userDataResources } from "@repo/mcp-tools/views/profile";

const app = createMcpApp<Env>({
  server: {
    name: "remote-mcp-bearer-auth",
    title: "Remote MCP Server (bearer token)",
    version: "1.0.0",
    instructions: "A calculator, plus getToken to check which credential arrived and get_user_data for the caller's profile.",
    tools: [...mathTools, getToken, getUserData, ...demoTools],
    resources: [...demoResources, ...mathResources, ...userDataResources],
    prompts: demoPrompts,
  },
  // BEARER_VALIDATOR picks one: the user backend says whose token it is, or the token is one of our API keys.
  auth: bearer<Env>({
    validators: {
      backend: (env) => backendValidator((token) => userForCredential(env, token)),
      "api-keys": (env) => apiKeyValidator(env.API_KEYS),
    },
  }),
  landing: {
    auth: "Bearer token in the Authorization header",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote expands ${AUTH_TOKEN} from the env entry below.
    mcpRemoteArgs: ["--header", "Authorization: Bearer ${AUTH_TOKEN}"],
    mcpRemoteEnv: { AUTH_TOKEN: "<your token>" },
    credentials: {
      local:
        "Local development: the example user API behind this server is seeded with demo tokens, e.g. Grace Hopper's `uapi_demo_grace_eYWqqBY4vJ390heqIzN5jGOj` (Ada, an admin: `uapi_demo_ada_vjei4t2Gzepa0rAuEOuL3eRs`). apps/example-user-api/README.md lists them all and shows how to add your own.",
      deployed:
        "Tokens are issued by this server's operator: a token of the user backend it checks (BEARER_VALIDATOR=backend), or an API key it lists (BEARER_VALIDATOR=api-keys).",
    },
  },
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
export const McpTasks = app.McpTasks;
