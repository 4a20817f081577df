import { apiKeyValidator, backendValidator } from "@remote-mcp-workers/auth-handlers";
import { bearer, createMcpApp } from "@remote-mcp-workers/mcp-app";
import { mathResources } from "./tools/calculator-ui.js";
import { demoPrompts, demoResources, demoTools, getToken, getUserData, mathTools, userForCredential } from "./tools/index.js";
import { userDataResources } from "./tools/profile-ui.js";

const app = createMcpApp<Env>({
  server: {
    name: "mcp-server-bearer-auth",
    title: "My MCP server (bearer token)",
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
        "Local development: copy .dev.vars.example to .dev.vars; the demo API key `mcpk_demo_laptop_pzfv_lhzupmRfsxfgKdda37m` then works (the README says how to use your user backend instead).",
      deployed:
        "Tokens are issued by this server's operator: a token of the user backend it checks (BEARER_VALIDATOR=backend), or an API key it lists (BEARER_VALIDATOR=api-keys).",
    },
  },
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
export const McpTasks = app.McpTasks;
