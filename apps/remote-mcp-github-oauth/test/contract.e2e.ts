import { HttpBrowser, mcpContract } from "@repo/mcp-app/testing";
import { startApp } from "./sign-in.js";

// The behaviour every app in this repo promises, with sign-in through the fake GitHub.
let browser: HttpBrowser | undefined;

mcpContract({
  name: "remote-mcp-github-oauth",
  start: async () => {
    const app = await startApp();
    browser = new HttpBrowser(app.github);
    return { origin: app.server.origin, logs: app.server.logs, stop: app.stop };
  },
  auth: { browse: (url) => (browser as HttpBrowser).browse(url) },
  expectedTools: ["add", "get_user_data", "whoami_admin", "count_slowly"],
});
