import { createPublicMcpApp } from "@repo/mcp-app";
import { mathTools } from "@repo/mcp-tools";

const app = createPublicMcpApp<Env>({
  server: {
    name: "remote-mcp-authless",
    title: "Remote MCP Server (authless)",
    version: "1.0.0",
    instructions: "A calculator anyone can use: add two numbers, or add, subtract, multiply or divide them.",
    tools: mathTools,
  },
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
