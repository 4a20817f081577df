import { cimdSuite, mockSignIn, startDevServer } from "@repo/mcp-app/testing";

/** Clients that identify with a Client ID Metadata Document, against the mock sign-in. */
cimdSuite({
  name: "remote-mcp-server",
  start: (options) => startDevServer({ cwd: new URL("..", import.meta.url).pathname, ...options }),
  browse: (url) => mockSignIn(url),
});
