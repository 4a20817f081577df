import { cimdSuite, type FakeGitHub, HttpBrowser, startDevServer, startFakeGitHub } from "@repo/mcp-app/testing";
import { afterAll, beforeAll } from "vitest";
import { APP_DIR } from "./sign-in.js";

/** Clients that identify with a Client ID Metadata Document, signing in with (the fake) GitHub. */
let github: FakeGitHub;
beforeAll(async () => {
  github = await startFakeGitHub();
});
afterAll(async () => {
  await github?.close();
});

cimdSuite({
  name: "remote-mcp-github-oauth",
  start: (options) => startDevServer({ cwd: APP_DIR, ...options, vars: { ...github.vars, ...options.vars } }),
  browse: async (url) => (await new HttpBrowser(github, "octocat").signIn(url)).landed,
});
