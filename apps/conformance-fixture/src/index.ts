/**
 * TEST-ONLY: the server the official MCP conformance suite runs against. It exposes the fixture
 * tools, resources and prompts the suite calls by name, built from the same shared layer as the
 * real apps (createMcpApp with publicAccess). It has no auth and its tools are nonsense by design.
 * NEVER DEPLOY IT: it has no deploy script and its wrangler.jsonc has no routes.
 */
import { createMcpApp, publicAccess } from "@repo/mcp-app";
import { contentTools } from "./content-tools.js";
import { inputTools } from "./input-tools.js";
import { fixturePrompts } from "./prompts.js";
import { fixtureResources } from "./resources.js";
import { schemaTools } from "./schema-tools.js";
import { taskTools } from "./task-tools.js";

const app = createMcpApp<Env>({
  server: {
    name: "conformance-fixture",
    title: "MCP conformance fixture (test only)",
    version: "1.0.0",
    instructions: "Test fixtures for @modelcontextprotocol/conformance. Not a useful server.",
    tools: [...contentTools, ...inputTools, ...schemaTools, ...taskTools],
    resources: fixtureResources,
    prompts: fixturePrompts,
  },
  auth: publicAccess("none (TEST-ONLY conformance fixture, never deployed)"),
});

export default app.worker;
export const McpSseSession = app.McpSseSession;
export const McpTasks = app.McpTasks;
