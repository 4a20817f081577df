import { fileURLToPath } from "node:url";
import { landingPageSuite, startDevServer } from "@repo/mcp-app/testing";

const appDir = fileURLToPath(new URL("..", import.meta.url));

// The page needs no user backend: this app alone, as the landing page is served before any token check.
landingPageSuite({
  name: "remote-mcp-bearer-auth",
  appDir,
  start: () => startDevServer({ cwd: appDir }),
  expectedTools: ["add", "calculate", "getToken", "get_user_data", "count_slowly"],
  screenshot: fileURLToPath(new URL("../../../docs/images/remote-mcp-bearer-auth.png", import.meta.url)),
});
