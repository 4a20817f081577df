import { apiKeyValidator, backendValidator } from "@repo/auth-handlers";
import { bearer, createMcpApp } from "@repo/mcp-app";
import { demoPrompts, demoResources, demoTools, getToken, getUserData, mathTools, userForCredential } from "@repo/mcp-tools";

const app = createMcpApp<Env>({
  server: {
    name: "remote-mcp-bearer-auth",
    title: "Remote MCP Server (bearer token)",
    version: "1.0.0",
    instructions: "A calculator, plus getToken to check which credential arrived and get_user_data for the caller's profile.",
    tools: [...mathTools, getToken, getUserData, ...demoTools],
    resources: demoResources,
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
  },
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
