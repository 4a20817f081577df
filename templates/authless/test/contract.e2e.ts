import { mcpContract, startDevServer } from "@remote-mcp-workers/mcp-app/testing";

mcpContract({
  name: "mcp-server-authless",
  start: () => startDevServer({ cwd: new URL("..", import.meta.url).pathname }),
  auth: "none",
  expectedTools: ["add", "calculate", "count_slowly"],
});
