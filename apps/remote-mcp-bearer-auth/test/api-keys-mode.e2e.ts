import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import {
  connectModernClient,
  connectSdkClient,
  type DevServer,
  initializeRequest,
  jsonRpcErrorOf,
  postJsonRpc,
  printServerLogOnFailure,
  startDevServer,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { API_KEYS, bearer, requestLines, TOKENS, USERS } from "./demo.js";
import { type BothWorkers, startWithUserApi } from "./dev.js";

// BEARER_VALIDATOR "api-keys": callers present an API key; get_user_data reaches the user backend
// with the server's own MCP_AUTH_TOKEN (BACKEND_CREDENTIAL "server").
// - withBinding: both Workers, the seeded backend over the service binding, query tokens allowed;
// - byUrl: the `standalone` environment, reaching by USER_API_URL a backend that fails on purpose.

const apiKeyMode = {
  BEARER_VALIDATOR: "api-keys",
  API_KEYS,
  BACKEND_CREDENTIAL: "server",
  MCP_AUTH_TOKEN: TOKENS.server,
};

type Behaviour = "ok" | 401 | 404 | 500 | 503 | "not-a-user" | "hang";

/** A user backend on loopback that answers GET /me as told, and records the credential it was sent. */
function failingBackend() {
  const state = { behaviour: "ok" as Behaviour, seen: [] as string[] };
  const server: Server = createServer((request, response) => {
    state.seen.push(`${request.method} ${request.url} ${request.headers.authorization}`);
    const { behaviour } = state;
    if (behaviour === "hang") return; // never answers; the MCP server must give up on its own
    if (behaviour === "ok" || behaviour === "not-a-user") {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.end(JSON.stringify(behaviour === "ok" ? USERS.server : { id: 4, name: "no email or role" }));
      return;
    }
    response.writeHead(behaviour, { "Content-Type": "text/plain" });
    response.end(`backend internals that must not reach the model: ${TOKENS.server}`);
  });
  return { state, server };
}

let withBinding: BothWorkers;
let byUrl: DevServer;
const backend = failingBackend();

beforeAll(async () => {
  await new Promise<void>((resolve) => backend.server.listen(0, "127.0.0.1", resolve));
  const backendUrl = `http://127.0.0.1:${(backend.server.address() as AddressInfo).port}`;
  [withBinding, byUrl] = await Promise.all([
    startWithUserApi(inject("seededState"), { ...apiKeyMode, ALLOW_QUERY_TOKEN: "true" }),
    startDevServer({
      cwd: new URL("..", import.meta.url).pathname,
      args: ["--env", "standalone"],
      vars: { ...apiKeyMode, USER_API_URL: backendUrl, USER_API_TIMEOUT_MS: "1500" },
    }),
  ]);
});
afterAll(async () => {
  await Promise.all([withBinding?.stop(), byUrl?.stop()]);
  backend.server.closeAllConnections();
  await new Promise((resolve) => backend.server.close(resolve));
});

describe("API keys, with the seeded backend over the service binding", () => {
  printServerLogOnFailure(() => withBinding);
  it("SDK v1 over /sse with an API key: getToken names the key; get_user_data is the server's service account", async () => {
    const client = await connectSdkClient(`${withBinding.origin}/sse`, "sse", undefined, bearer(TOKENS.laptopKey));
    try {
      const token = await client.callTool({ name: "getToken", arguments: {} });
      expect(token.structuredContent).toEqual({
        scheme: "Bearer",
        source: "header",
        masked: "mcpk…a37m",
        fingerprint: "sha256:51ee8d7fce6b",
        kind: "api-key",
        holder: "key:laptop",
      });
      expect((await client.callTool({ name: "get_user_data", arguments: {} })).structuredContent).toEqual(USERS.server);
    } finally {
      await client.close();
    }
  });

  it("refuses a user token and an unknown key: only API_KEYS count", async () => {
    for (const token of [TOKENS.ada, "mcpk_demo_unknown_00000000000000000"]) {
      const response = await postJsonRpc(`${withBinding.origin}/mcp`, initializeRequest, bearer(token));
      expect(response.status, token).toBe(401);
    }
  });

  it("accepts ?auth_token= when ALLOW_QUERY_TOKEN is true (SDK v2, 2026-07-28), and never logs it", async () => {
    const client = await connectModernClient(`${withBinding.origin}/mcp?auth_token=${TOKENS.ciKey}`);
    try {
      const result = await client.callTool({ name: "getToken", arguments: {} });
      expect(result.structuredContent).toMatchObject({ source: "query", kind: "api-key", holder: "key:ci", masked: "mcpk…tSDN" });
    } finally {
      await client.close();
    }
    const metadata = await (await fetch(`${withBinding.origin}/.well-known/oauth-protected-resource`)).json();
    expect(metadata).toMatchObject({ bearer_methods_supported: ["header", "query"] });
    expect(withBinding.logs()).not.toContain(TOKENS.ciKey);
    expect(requestLines(withBinding.logs()).filter((line) => line.route === "/mcp").length).toBeGreaterThan(0);
  });

  it("refuses a token sent both ways, even when both are valid", async () => {
    const response = await postJsonRpc(`${withBinding.origin}/mcp?auth_token=${TOKENS.ciKey}`, initializeRequest, bearer(TOKENS.ciKey));
    expect(response.status).toBe(400);
    expect((await jsonRpcErrorOf(response)).error.message).toBe(
      "Bad Request: Send the token in one place only: this request has both an Authorization header and ?auth_token=.",
    );
  });

  it("never logged a token or the server's credential", () => {
    for (const token of Object.values(TOKENS)) expect(withBinding.logs()).not.toContain(token);
  });
});

describe("get_user_data against a user backend that fails (USER_API_URL, standalone environment)", () => {
  printServerLogOnFailure(() => byUrl);
  it("reaches the backend by URL with the server credential, never the caller's key", async () => {
    backend.state.behaviour = "ok";
    backend.state.seen.length = 0;
    const client = await connectSdkClient(`${byUrl.origin}/mcp`, "streamable-http", undefined, bearer(TOKENS.ciKey));
    try {
      expect((await client.callTool({ name: "get_user_data", arguments: {} })).structuredContent).toEqual(USERS.server);
    } finally {
      await client.close();
    }
    expect(backend.state.seen).toEqual([`GET /me Bearer ${TOKENS.server}`]);
  });

  it.each([
    [401, "The user backend rejected the credential (HTTP 401): it is unknown, expired or revoked."],
    [404, "The user backend has no user for this credential (HTTP 404)."],
    [500, "The user backend failed (HTTP 500); try again later."],
    [503, "The user backend failed (HTTP 503); try again later."],
    ["not-a-user", "The user backend answered with something that is not a user."],
    ["hang", "The user backend did not answer within 1.5 s; try again later."],
  ] as const)("backend %s: a tool error that says so, and the server keeps serving", async (behaviour, message) => {
    backend.state.behaviour = behaviour;
    const client = await connectSdkClient(`${byUrl.origin}/mcp`, "streamable-http", undefined, bearer(TOKENS.ciKey));
    try {
      const started = Date.now();
      const result = await client.callTool({ name: "get_user_data", arguments: {} });
      expect(result).toEqual({ isError: true, content: [{ type: "text", text: message }] });
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await client.callTool({ name: "add", arguments: { a: 2, b: 3 } })).toMatchObject({ structuredContent: { result: 5 } });
    } finally {
      await client.close();
    }
  });

  it("kept the backend's body and every credential out of results and logs", () => {
    for (const token of Object.values(TOKENS)) expect(byUrl.logs()).not.toContain(token);
    expect(byUrl.logs()).not.toContain("backend internals");
  });
});
