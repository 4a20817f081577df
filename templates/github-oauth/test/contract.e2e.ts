import { HttpBrowser, mcpContract, startWithFakeGitHub } from "@remote-mcp-workers/mcp-app/testing";

// GitHub is played by a fake on a free loopback port (no network, no OAuth App): the app is pointed
// at it by --var, and the browser signs in there.
let browser: HttpBrowser | undefined;

mcpContract({
  name: "mcp-server-github-oauth",
  start: async () => {
    const app = await startWithFakeGitHub({ cwd: new URL("..", import.meta.url).pathname });
    browser = new HttpBrowser(app.github);
    return { origin: app.server.origin, logs: app.server.logs, stop: app.stop };
  },
  auth: { browse: (url) => (browser as HttpBrowser).browse(url) },
  expectedTools: ["add", "get_user_data", "whoami_admin", "count_slowly"],
});
