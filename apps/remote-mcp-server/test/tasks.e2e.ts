import { mockSignIn, startDevServer, tasksSuite } from "@repo/mcp-app/testing";

/** count_slowly as an MCP Task, signed in through the mock sign-in as two different users. */
tasksSuite({
  name: "remote-mcp-server",
  start: () => startDevServer({ cwd: new URL("..", import.meta.url).pathname }),
  browse: (email) => (url) => mockSignIn(url, { email }),
});
