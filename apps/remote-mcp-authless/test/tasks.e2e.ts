import { startDevServer, tasksSuite } from "@repo/mcp-app/testing";

/** count_slowly as an MCP Task on a public server (no sign-in: the task id is the only secret). */
tasksSuite({
  name: "remote-mcp-authless",
  start: () => startDevServer({ cwd: new URL("..", import.meta.url).pathname }),
});
