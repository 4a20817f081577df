import { attackSuite, startDevServer } from "@repo/mcp-app/testing";

// Every attack the shared suite knows; the OAuth and credential cases report what a public server does instead.
attackSuite({
  name: "remote-mcp-authless",
  start: (vars) => startDevServer({ cwd: new URL("..", import.meta.url).pathname, vars }),
  auth: { style: "public" },
  wranglerConfig: new URL("../wrangler.jsonc", import.meta.url),
});
