import { mcpContract, startDevServer } from "@remote-mcp-workers/mcp-app/testing";

mcpContract({
  name: "mcp-server-mock-oauth",
  start: () => startDevServer({ cwd: new URL("..", import.meta.url).pathname }),
  auth: "oauth-mock",
  expectedTools: ["add", "calculate", "count_slowly"],
});
