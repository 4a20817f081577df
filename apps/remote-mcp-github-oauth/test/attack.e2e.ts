import { attackSuite, HttpBrowser } from "@repo/mcp-app/testing";
import { type App, startApp } from "./sign-in.js";

// Every attack the shared suite knows, with sign-in through the fake GitHub; the GitHub OAuth App's
// secret and every GitHub token it issued must never show in a response or a log line.
let app: App | undefined;
let browser: HttpBrowser | undefined;

attackSuite({
  name: "remote-mcp-github-oauth",
  start: async (vars) => {
    app = await startApp(vars);
    browser = new HttpBrowser(app.github);
    const { server, stop } = app;
    return { origin: server.origin, logs: server.logs, stop, restart: server.restart };
  },
  auth: { style: "oauth", browse: (url) => (browser as HttpBrowser).browse(url) },
  wranglerConfig: new URL("../wrangler.jsonc", import.meta.url),
  secrets: () => (app ? [app.github.clientSecret, ...app.github.tokens.values(), app.github.vars.CONSENT_SECRET ?? ""] : []),
});
