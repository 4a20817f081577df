import { attackSuite, startDevServer } from "@repo/mcp-app/testing";

// Every attack the shared suite knows, against this app's own OAuth server and mock sign-in.
attackSuite({
  name: "remote-mcp-server",
  start: (vars) => startDevServer({ cwd: new URL("..", import.meta.url).pathname, vars }),
  auth: { style: "oauth" },
  wranglerConfig: new URL("../wrangler.jsonc", import.meta.url),
});
