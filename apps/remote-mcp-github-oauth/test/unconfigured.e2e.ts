import {
  type DevServer,
  discoverAuthorizationServer,
  initializeRequest,
  postJsonRpc,
  printServerLogOnFailure,
  registerClient,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startUnconfiguredApp } from "./sign-in.js";

// Started without the GitHub secrets: the server runs, and says plainly what is missing.

const MISSING = ["GITHUB_CLIENT_ID is not set", "GITHUB_CLIENT_SECRET is not set", "CONSENT_SECRET (or COOKIE_ENCRYPTION_KEY) is not set"];

let server: DevServer;
beforeAll(async () => {
  server = await startUnconfiguredApp();
});
afterAll(async () => {
  await server?.stop();
});
printServerLogOnFailure(() => server);

it("the landing page says GitHub sign-in is not configured and names the missing secrets", async () => {
  const response = await fetch(`${server.origin}/`);
  expect(response.status).toBe(200);
  expect(await response.text()).toContain(`auth: OAuth 2.1 with GitHub sign-in: NOT CONFIGURED (${MISSING.join("; ")}). See the README.`);
});

it("/authorize and /callback answer a 503 page naming the missing secrets; MCP still challenges", async () => {
  const authServer = await discoverAuthorizationServer(server.origin);
  const client = await registerClient(authServer, { client_name: "unconfigured", redirect_uris: ["http://127.0.0.1:65501/callback"] });
  for (const path of [`/authorize?response_type=code&client_id=${client.client_id}`, "/callback?code=x&state=y"]) {
    const response = await fetch(`${server.origin}${path}`, { redirect: "manual" });
    expect(response.status).toBe(503);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).toContain(`<ul>${MISSING.map((problem) => `<li>${problem}</li>`).join("")}</ul>`);
  }
  expect((await postJsonRpc(`${server.origin}/mcp`, initializeRequest)).status).toBe(401);
  expect(server.logs()).not.toMatch(/Uncaught|unhandled/i);
});
