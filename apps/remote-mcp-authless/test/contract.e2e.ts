import { mcpContract, startDevServer } from "@repo/mcp-app/testing";

mcpContract({
  name: "remote-mcp-authless",
  start: () => startDevServer({ cwd: new URL("..", import.meta.url).pathname }),
  auth: "none",
  expectedTools: ["add", "calculate", "count_slowly"],
});
