import { fileURLToPath } from "node:url";
import { landingPageSuite } from "@repo/mcp-app/testing";
import { startApp } from "./sign-in.js";

const appDir = fileURLToPath(new URL("..", import.meta.url));

// Configured against the fake GitHub, so the page shows the sign-in a deployed app offers.
landingPageSuite({
  name: "remote-mcp-github-oauth",
  appDir,
  start: async () => {
    const app = await startApp();
    return { origin: app.server.origin, logs: app.server.logs, stop: app.stop };
  },
  expectedTools: ["add", "get_user_data", "whoami_admin", "count_slowly"],
  screenshot: fileURLToPath(new URL("../../../docs/images/remote-mcp-github-oauth.png", import.meta.url)),
});
