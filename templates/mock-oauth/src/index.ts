import { MockProps, mockAuthHandler } from "@remote-mcp-workers/auth-handlers";
import { createMcpApp, oauth } from "@remote-mcp-workers/mcp-app";
import { mathResources } from "./tools/calculator-ui.js";
import { demoPrompts, demoResources, demoTools, mathTools } from "./tools/index.js";

const scopes = { supported: ["mcp:tools", "offline_access"], required: ["mcp:tools"] };

const app = createMcpApp<Env>({
  server: {
    name: "mcp-server-mock-oauth",
    title: "My MCP server (mock OAuth)",
    version: "1.0.0",
    instructions: "A calculator. Sign in with the mock login page; any email and password work.",
    tools: [...mathTools, ...demoTools],
    resources: [...demoResources, ...mathResources],
    prompts: demoPrompts,
  },
  auth: oauth<MockProps, Env>({
    identity: {
      handler: mockAuthHandler({ defaultScopes: scopes.required }),
      props: MockProps,
      userId: (props) => props.userId,
      label: "OAuth 2.1 (mock sign-in)",
    },
    scopes,
  }),
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
export const McpTasks = app.McpTasks;
