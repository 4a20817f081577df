import { mathTools } from "@repo/mcp-tools";
import { mathResources } from "@repo/mcp-tools/views/calculator";
import { createMcpApp, publicAccess } from "../src/index.js";

/** A public app with the calculator tools, as an app's entry file would build it. */
const app = createMcpApp({
  server: {
    name: "fixture-mcp",
    title: "Fixture MCP server",
    version: "1.2.3",
    instructions: "A calculator for tests.",
    tools: mathTools,
    resources: mathResources,
  },
  auth: publicAccess(),
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
