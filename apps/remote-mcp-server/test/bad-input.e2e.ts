import {
  type AuthorizationServerMetadata,
  authorizationUrl,
  type ClientRegistration,
  connectSdkClient,
  cookieHeader,
  createPkce,
  type DevServer,
  discoverAuthorizationServer,
  exchangeCode,
  initializeRequest,
  jsonRpcErrorOf,
  mockSignIn,
  postJsonRpc,
  printServerLogOnFailure,
  probeSse,
  registerClient,
  startDevServer,
  type TokenResponse,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * What the real app does with input no well-behaved client sends, each outcome exact, and that
 * none of it leaves the app unable to serve the next normal call.
 */

/** Nothing listens here: authorization redirects are read from the Location header, not followed. */
const REDIRECT_URI = "http://127.0.0.1:65502/callback";

let server: DevServer;
let authServer: AuthorizationServerMetadata;
let client: ClientRegistration;
let bearer: Record<string, string>;

/** Runs the authorization-code flow for a registered client and returns the code and its verifier. */
async function authorize(registered: ClientRegistration) {
  const pkce = createPkce();
  const url = authorizationUrl(authServer, {
    clientId: registered.client_id,
    redirectUri: REDIRECT_URI,
    state: "s1",
    codeChallenge: pkce.challenge,
    resource: server.origin,
  });
  const landed = await mockSignIn(url);
  return { code: landed.searchParams.get("code") as string, verifier: pkce.verifier };
}

const exchange = (registered: ClientRegistration, code: string, verifier: string) =>
  exchangeCode(authServer, { clientId: registered.client_id, redirectUri: REDIRECT_URI, code, verifier, resource: server.origin });

beforeAll(async () => {
  server = await startDevServer({ cwd: new URL("..", import.meta.url).pathname });
  authServer = await discoverAuthorizationServer(server.origin);
  client = await registerClient(authServer, { client_name: "bad input probe", redirect_uris: [REDIRECT_URI] });
  const { code, verifier } = await authorize(client);
  const tokens = (await (await exchange(client, code, verifier)).json()) as TokenResponse;
  bearer = { Authorization: `Bearer ${tokens.access_token}` };
});
afterAll(async () => {
  await server?.stop();
});
printServerLogOnFailure(() => server);

const mcp = () => `${server.origin}/mcp`;

/** A tools/call as each protocol era sends it: 2025 with its version header, 2026 with `_meta` and routing headers. */
const eras = {
  "2025-11-25": (name: string, args: Record<string, unknown>) =>
    postJsonRpc(
      mcp(),
      { jsonrpc: "2.0", id: 7, method: "tools/call", params: { name, arguments: args } },
      {
        ...bearer,
        "MCP-Protocol-Version": "2025-11-25",
      },
    ),
  "2026-07-28": (name: string, args: Record<string, unknown>) =>
    postJsonRpc(
      mcp(),
      {
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: {
          name,
          arguments: args,
          _meta: {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
            "io.modelcontextprotocol/clientInfo": { name: "e2e-raw", version: "1.0.0" },
          },
        },
      },
      { ...bearer, "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": "tools/call", "Mcp-Name": name },
    ),
} as const;

describe("JSON-RPC on /mcp", () => {
  it("malformed JSON: HTTP 400, parse error -32700", async () => {
    const response = await postJsonRpc(mcp(), '{"jsonrpc":"2.0","id":1,"method":"tools/list"', bearer);
    expect(response.status).toBe(400);
    expect(await jsonRpcErrorOf(response)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32700, message: "Parse error: the request body is not valid JSON" },
    });
  });

  it("valid JSON that is not JSON-RPC: HTTP 400, invalid request -32600", async () => {
    const response = await postJsonRpc(mcp(), { hello: "world" }, { ...bearer, "MCP-Protocol-Version": "2025-11-25" });
    expect(response.status).toBe(400);
    expect((await jsonRpcErrorOf(response)).error.code).toBe(-32600);
  });

  it("a non-JSON content type: HTTP 415", async () => {
    const response = await fetch(mcp(), {
      method: "POST",
      headers: { ...bearer, "Content-Type": "text/plain", Accept: "application/json, text/event-stream" },
      body: JSON.stringify(initializeRequest),
    });
    expect(response.status).toBe(415);
    expect((await jsonRpcErrorOf(response)).error.code).toBe(-32600);
  });

  it("a body over 1 MiB: HTTP 413 before the server reads it all", async () => {
    const huge = JSON.stringify({ ...initializeRequest, params: { ...initializeRequest.params, padding: "x".repeat(1024 * 1024) } });
    const response = await postJsonRpc(mcp(), huge, bearer);
    expect(response.status).toBe(413);
    expect(await jsonRpcErrorOf(response)).toMatchObject({
      error: { code: -32600, message: "Payload Too Large: the body exceeds 1048576 bytes" },
    });
  });

  it("an unknown method: JSON-RPC error -32601", async () => {
    const response = await postJsonRpc(
      mcp(),
      { jsonrpc: "2.0", id: 3, method: "tools/explode", params: {} },
      {
        ...bearer,
        "MCP-Protocol-Version": "2025-11-25",
      },
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ jsonrpc: "2.0", id: 3, error: { code: -32601, message: "Method not found" } });
  });

  describe.each(Object.entries(eras))("tools/call, protocol %s", (era, call) => {
    const modernExtra = era === "2026-07-28" ? { resultType: "complete", _meta: expect.any(Object) } : {};

    it("add with a string argument: an isError result the model can act on (not a protocol error)", async () => {
      const response = await call("add", { a: "1", b: 2 });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        jsonrpc: "2.0",
        id: 7,
        result: {
          isError: true,
          content: [
            {
              type: "text",
              text: "Input validation error: Invalid arguments for tool add: a: Invalid input: expected number, received string",
            },
          ],
          ...modernExtra,
        },
      });
    });

    it("an unknown tool: JSON-RPC error -32602 naming the tool", async () => {
      const response = await call("subtract_all", {});
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ jsonrpc: "2.0", id: 7, error: { code: -32602, message: "Tool subtract_all not found" } });
    });
  });

  it("a forged bearer token: 401 invalid_token, never a tool result", async () => {
    const response = await postJsonRpc(mcp(), initializeRequest, { Authorization: "Bearer mock-ada@example.com:forged:token" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  });
});

describe("legacy SSE", () => {
  it("a message for a session that does not exist: 404, -32001", async () => {
    const response = await postJsonRpc(`${server.origin}/sse/message?sessionId=not-a-session`, initializeRequest, bearer);
    expect(response.status).toBe(404);
    expect((await jsonRpcErrorOf(response)).error).toEqual({ code: -32001, message: "Session not found: open a new stream with GET /sse" });
  });
});

describe("Origin checks (DNS rebinding): 403 before authentication is even looked at", () => {
  const origins = [
    ["a foreign site", "https://evil.example"],
    ["a rebinding name that looks like loopback", "http://127.0.0.1.nip.io"],
    ["an opaque origin (Origin: null)", "null"],
  ] as const;
  const requests = [
    ["POST /mcp", (headers: Record<string, string>) => postJsonRpc(mcp(), initializeRequest, headers)],
    ["GET /sse", (headers: Record<string, string>) => probeSse(`${server.origin}/sse`, headers)],
    [
      "POST /sse/message",
      (headers: Record<string, string>) => postJsonRpc(`${server.origin}/sse/message?sessionId=x`, initializeRequest, headers),
    ],
  ] as const;
  const cases = origins.flatMap(([who, origin]) => requests.map(([what, send]) => [`${what} from ${who}`, origin, send] as const));

  it.each(cases)("%s", async (_, origin, send) => {
    const response = await send({ ...bearer, Origin: origin });
    expect(response.status).toBe(403);
    expect(await jsonRpcErrorOf(response)).toEqual({
      jsonrpc: "2.0",
      id: null,
      error: { code: -32000, message: "Forbidden: this Origin may not call the MCP endpoint" },
    });
  });
});

describe("OAuth authorization endpoint and token endpoint", () => {
  const get = (url: URL) => fetch(url, { redirect: "manual" });
  // A client of its own: a new sign-in for the same user and client revokes that pair's earlier
  // grants (the provider's default), which would revoke the token the other tests use.
  let probe: ClientRegistration;
  beforeAll(async () => {
    probe = await registerClient(authServer, { client_name: "token endpoint probe", redirect_uris: [REDIRECT_URI] });
  });

  it("an unregistered redirect_uri: a 400 page for the user, and no redirect anywhere", async () => {
    const url = authorizationUrl(authServer, {
      clientId: client.client_id,
      redirectUri: "http://127.0.0.1:65503/somewhere-else",
      state: "s2",
      codeChallenge: createPkce().challenge,
      resource: server.origin,
    });
    const response = await get(url);
    expect(response.status).toBe(400);
    expect(response.headers.get("location")).toBeNull();
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain("<h1>This sign-in request cannot continue</h1>");
    expect(html).toContain("<p>Invalid redirect URI</p>");
  });

  /** The error redirect for a request whose client and redirect URI are trusted, minus the issuer check. */
  async function errorRedirect(url: URL): Promise<Record<string, string>> {
    const response = await get(url);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location") as string);
    expect(location.origin + location.pathname).toBe(REDIRECT_URI);
    return Object.fromEntries(location.searchParams);
  }

  it("no PKCE: error redirect with invalid_request, no code", async () => {
    const url = authorizationUrl(authServer, {
      clientId: client.client_id,
      redirectUri: REDIRECT_URI,
      state: "s3",
      resource: server.origin,
    });
    expect(await errorRedirect(url)).toEqual({
      error: "invalid_request",
      error_description: "Public clients must use PKCE with the authorization code flow.",
      state: "s3",
      iss: server.origin,
    });
  });

  it("code_challenge_method=plain: error redirect with invalid_request, no code", async () => {
    const pkce = createPkce();
    const url = authorizationUrl(authServer, {
      clientId: client.client_id,
      redirectUri: REDIRECT_URI,
      state: "s4",
      codeChallenge: pkce.verifier,
      codeChallengeMethod: "plain",
      resource: server.origin,
    });
    expect(await errorRedirect(url)).toEqual({
      error: "invalid_request",
      error_description: "The plain PKCE method is not allowed. Use S256 instead.",
      state: "s4",
      iss: server.origin,
    });
  });

  it("a consent form posted from another browser (without the consent cookie): refused, no code", async () => {
    const url = authorizationUrl(authServer, {
      clientId: client.client_id,
      redirectUri: REDIRECT_URI,
      state: "s5",
      codeChallenge: createPkce().challenge,
      resource: server.origin,
    });
    const page = await get(url);
    expect(cookieHeader(page)).not.toBe("");
    const handle = /name="handle" value="([^"]+)"/.exec(await page.text())?.[1] as string;
    const posted = await fetch(url, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: server.origin },
      body: new URLSearchParams({ handle, decision: "approve", email: "mallory@example.com", password: "x" }),
    });
    expect(posted.status).toBe(400);
    expect(posted.headers.get("location")).toBeNull();
    expect(await posted.text()).toContain("This authorization was not started in this browser; start again");
  });

  it("a wrong code_verifier: invalid_grant", async () => {
    const { code } = await authorize(probe);
    const response = await exchange(probe, code, createPkce().verifier);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("a replayed authorization code: invalid_grant, and the tokens issued for it are revoked", async () => {
    const { code, verifier } = await authorize(probe);
    const first = await exchange(probe, code, verifier);
    expect(first.status).toBe(200);
    const { access_token } = (await first.json()) as TokenResponse;
    const honoured = await postJsonRpc(mcp(), initializeRequest, { Authorization: `Bearer ${access_token}` });
    expect(honoured.status).toBe(200);
    await honoured.body?.cancel();
    const replay = await exchange(probe, code, verifier);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: "invalid_grant", error_description: "Authorization code already used" });
    // OAuth 2.1 §4.1.3: a replayed code means it leaked; what it bought is no longer honoured.
    const revoked = await postJsonRpc(mcp(), initializeRequest, { Authorization: `Bearer ${access_token}` });
    expect(revoked.status).toBe(401);
  });
});

it("after all of that, the app still answers a normal call", async () => {
  const sdk = await connectSdkClient(mcp(), "streamable-http", undefined, bearer);
  try {
    expect(await sdk.callTool({ name: "add", arguments: { a: 1, b: 1 } })).toEqual({
      content: [{ type: "text", text: "1 + 1 = 2" }],
      structuredContent: { result: 2 },
    });
  } finally {
    await sdk.close();
  }
});
