import { fileURLToPath } from "node:url";
import { landingPageSuite, startDevServer } from "@repo/mcp-app/testing";

const appDir = fileURLToPath(new URL("..", import.meta.url));

landingPageSuite({
  name: "remote-mcp-authless",
  appDir,
  start: () => startDevServer({ cwd: appDir }),
  expectedTools: ["add", "calculate", "count_slowly"],
  screenshot: fileURLToPath(new URL("../../../docs/images/remote-mcp-authless.png", import.meta.url)),
});
