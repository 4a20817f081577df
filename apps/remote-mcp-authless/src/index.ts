import { createMcpApp, publicAccess } from "@repo/mcp-app";
import { demoPrompts, demoResources, demoTools, mathTools } from "@repo/mcp-tools";
import { mathResources } from "@repo/mcp-tools/views/calculator";

const app = createMcpApp<Env>({
  server: {
    name: "remote-mcp-authless",
    title: "Remote MCP Server (authless)",
    version: "1.0.0",
    instructions: "A calculator anyone can use: add two numbers, or add, subtract, multiply or divide them.",
    tools: [...mathTools, ...demoTools],
    resources: [...demoResources, ...mathResources],
    prompts: demoPrompts,
  },
  auth: publicAccess(),
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
export const McpTasks = app.McpTasks;
