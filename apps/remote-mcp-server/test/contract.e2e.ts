import { mcpContract, startDevServer } from "@repo/mcp-app/testing";

mcpContract({
  name: "remote-mcp-server",
  start: () => startDevServer({ cwd: new URL("..", import.meta.url).pathname }),
  auth: "oauth-mock",
  expectedTools: ["add", "calculate", "count_slowly"],
});
