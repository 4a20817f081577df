import { createMcpApp, publicAccess } from "@remote-mcp-workers/mcp-app";
import { mathResources } from "./tools/calculator-ui.js";
import { demoPrompts, demoResources, demoTools, mathTools } from "./tools/index.js";

const app = createMcpApp<Env>({
  server: {
    name: "mcp-server-authless",
    title: "My MCP server (authless)",
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
