import { MockProps, mockAuthHandler } from "@repo/auth-handlers";
import { createMcpApp, oauth } from "@repo/mcp-app";
import { demoPrompts, demoResources, demoTools, mathTools } from "@repo/mcp-tools";
import { mathResources } from "@repo/mcp-tools/views/calculator";

const scopes = { supported: ["mcp:tools", "offline_access"], required: ["mcp:tools"] };

const app = createMcpApp<Env>({
  server: {
    name: "remote-mcp-server",
    title: "Remote MCP Server (mock OAuth)",
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
