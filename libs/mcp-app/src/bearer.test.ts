import { env } from "cloudflare:workers";
import { Client as ModernClient, StreamableHTTPClientTransport as ModernHttpTransport } from "@modelcontextprotocol/client";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { TokenValidator } from "@repo/mcp-core";
import { getToken, mathTools, tokenFingerprint } from "@repo/mcp-tools";
import { mathResources } from "@repo/mcp-tools/views/calculator";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createMcpApp } from "./app.js";
import { type BearerAppEnv, bearer, readBearerCredential } from "./bearer.js";

// createMcpApp with bearer() driven in the Workers runtime: raw requests for the HTTP edges, the real MCP
// clients (with a `fetch` that calls the Worker directly) for what a valid token unlocks.

const ORIGIN = "http://localhost:8787";
const METADATA = `${ORIGIN}/.well-known/oauth-protected-resource`;
const GOOD = "good_token_0123456789abcdefXYZ";
const OTHER = "other_token_9876543210zyxwvuABC";

/** A validator with two known tokens, recording what it was asked. */
function knownTokens(asked: string[] = []): TokenValidator {
  return async (token) => {
    asked.push(token);
    if (token === GOOD) return { kind: "user-token", label: "user:1" };
    if (token === OTHER) return { kind: "api-key", label: "key:other", scopes: ["mcp:tools"] };
    return null;
  };
}

const asked: string[] = [];
const app = createMcpApp<BearerAppEnv>({
  server: { name: "bearer-fixture", title: "Bearer fixture", version: "0.1.0", tools: [...mathTools, getToken], resources: mathResources },
  landing: { auth: "Bearer token" },
  auth: bearer({
    validators: {
      known: () => knownTokens(asked),
      failing: () => async () => {
        throw new Error("backend timed out");
      },
      "only-other": () => async (token) => (token === OTHER ? { kind: "api-key", label: "key:other", scopes: [] } : null),
      "bad-label": () => async () => ({ kind: "api-key", label: "", scopes: [] }),
    },
  }),
});

const appEnv = (vars: Partial<BearerAppEnv> = {}): BearerAppEnv => ({ ...env, ...vars });
const ctx = { waitUntil: () => {}, passThroughOnException: () => {}, props: {} } as unknown as ExecutionContext;

function call(path: string, init: RequestInit = {}, vars: Partial<BearerAppEnv> = {}): Promise<Response> {
  return app.worker.fetch(new Request(new URL(path, ORIGIN), init), appEnv(vars), ctx);
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
};

function post(path: string, headers: Record<string, string> = {}, vars: Partial<BearerAppEnv> = {}): Promise<Response> {
  return call(
    path,
    {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify(initialize),
    },
    vars,
  );
}

const headerRequest = (authorization?: string, query = "") =>
  new Request(`${ORIGIN}/mcp${query}`, authorization === undefined ? {} : { headers: { Authorization: authorization } });

/** The JSON-RPC error object of a response body. */
const rpcError = async (response: Response) => ((await response.json()) as { error: { code: number; message: string } }).error;

let logged: string[] = [];
beforeEach(() => {
  logged = [];
  asked.length = 0;
  vi.spyOn(console, "log").mockImplementation((line: string) => logged.push(line));
});
afterEach(() => vi.restoreAllMocks());

describe("readBearerCredential", () => {
  it.each([
    ["Bearer abc", "abc"],
    ["bearer abc", "abc"],
    ["BEARER   abc", "abc"],
    ["Bearer abc==", "abc=="],
    ["Bearer a.b-c_d~e+f/g=", "a.b-c_d~e+f/g="],
  ])("reads %j as a header token", (header, token) => {
    expect(readBearerCredential(headerRequest(header), false)).toEqual({ kind: "token", token, source: "header" });
  });

  it("reports no credential at all as missing", () => {
    expect(readBearerCredential(headerRequest(), false)).toEqual({ kind: "missing" });
  });

  it.each([
    ["", "The Authorization header is empty; send Authorization: Bearer <token>."],
    ["Basic dXNlcjpwYXNz", "This server accepts only the Bearer scheme: send Authorization: Bearer <token>."],
    ["Token abc", "This server accepts only the Bearer scheme: send Authorization: Bearer <token>."],
    ["Bearer", "The Bearer token is empty."],
    ["Bearer ", "The Bearer token is empty."],
    ["Bearer abc def", "The Bearer token must be a single value without spaces."],
    ["Bearer\tabc", "The Authorization header must be of the form: Bearer <token>."],
    ["Bearer abc,def", "The Bearer token contains characters a token may not have (allowed: letters, digits, - . _ ~ + / and trailing =)."],
    ["Bearer ab=c", "The Bearer token contains characters a token may not have (allowed: letters, digits, - . _ ~ + / and trailing =)."],
    ['Bearer "abc"', "The Bearer token contains characters a token may not have (allowed: letters, digits, - . _ ~ + / and trailing =)."],
    [`Bearer ${"a".repeat(4097)}`, "The Bearer token is longer than 4096 characters."],
  ])("refuses the header %j as malformed", (header, message) => {
    expect(readBearerCredential(headerRequest(header), false)).toEqual({ kind: "malformed", message });
  });

  it("refuses ?auth_token= unless the operator allows it", () => {
    expect(readBearerCredential(headerRequest(undefined, "?auth_token=abc"), false)).toEqual({
      kind: "malformed",
      message:
        "Tokens in the query string (?auth_token=) are turned off on this server; send the token in the Authorization: Bearer header.",
    });
    expect(readBearerCredential(headerRequest("Bearer abc", "?auth_token=abc"), false).kind).toBe("malformed");
  });

  it("reads ?auth_token= when allowed: once, alone, well-formed", () => {
    expect(readBearerCredential(headerRequest(undefined, "?auth_token=abc%3D"), true)).toEqual({
      kind: "token",
      token: "abc=",
      source: "query",
    });
    expect(readBearerCredential(headerRequest("Bearer abc", "?auth_token=abc"), true)).toEqual({
      kind: "malformed",
      message: "Send the token in one place only: this request has both an Authorization header and ?auth_token=.",
    });
    expect(readBearerCredential(headerRequest(undefined, "?auth_token=a&auth_token=b"), true)).toEqual({
      kind: "malformed",
      message: "Send ?auth_token= only once.",
    });
    expect(readBearerCredential(headerRequest(undefined, "?auth_token="), true)).toEqual({
      kind: "malformed",
      message: "The auth_token parameter is empty.",
    });
    expect(readBearerCredential(headerRequest(undefined, "?auth_token=a%20b"), true)).toEqual({
      kind: "malformed",
      message: "The auth_token parameter must be a single value without spaces.",
    });
  });
});

describe("bearer() at the HTTP edge", () => {
  it("challenges a request without a token: 401 naming the protected resource metadata, on /mcp and /sse", async () => {
    for (const response of [await post("/mcp"), await call("/sse", { headers: { Accept: "text/event-stream" } })]) {
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(`Bearer resource_metadata="${METADATA}"`);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32000, message: "Unauthorized: send Authorization: Bearer <token>." },
      });
    }
    expect(asked).toEqual([]);
  });

  it("answers an unknown token 401 invalid_token", async () => {
    const response = await post("/mcp", { Authorization: "Bearer not_a_known_token" });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer error="invalid_token", error_description="the bearer token is not valid here.", resource_metadata="${METADATA}"`,
    );
    expect((await rpcError(response)).message).toBe("Unauthorized: the bearer token is not valid here.");
    expect(asked).toEqual(["not_a_known_token"]);
  });

  it("answers a malformed header 400 invalid_request, without asking the validator", async () => {
    const response = await post("/mcp", { Authorization: "Basic dXNlcjpwYXNz" });
    expect(response.status).toBe(400);
    expect(response.headers.get("www-authenticate")).toBe(
      `Bearer error="invalid_request", error_description="This server accepts only the Bearer scheme: send Authorization: Bearer <token>.", resource_metadata="${METADATA}"`,
    );
    expect(await rpcError(response)).toEqual({
      code: -32000,
      message: "Bad Request: This server accepts only the Bearer scheme: send Authorization: Bearer <token>.",
    });
    expect(asked).toEqual([]);
  });

  it("serves RFC 9728 metadata that names this origin and the accepted token locations", async () => {
    const response = await call("/.well-known/oauth-protected-resource", { headers: { Origin: "http://localhost:6274" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("http://localhost:6274");
    expect(await response.json()).toEqual({
      resource: ORIGIN,
      bearer_methods_supported: ["header"],
      scopes_supported: ["mcp:tools"],
      resource_name: "Bearer fixture",
    });
    const withQuery = await call("/.well-known/oauth-protected-resource", {}, { ALLOW_QUERY_TOKEN: "true" });
    expect(((await withQuery.json()) as { bearer_methods_supported: string[] }).bearer_methods_supported).toEqual(["header", "query"]);
    expect((await call("/.well-known/oauth-protected-resource", { method: "POST" })).status).toBe(405);
  });

  it("lets a loopback browser client read the challenge (CORS), and refuses a foreign Origin before auth", async () => {
    const challenge = await post("/mcp", { Origin: "http://localhost:6274" });
    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("access-control-allow-origin")).toBe("http://localhost:6274");
    expect(challenge.headers.get("access-control-expose-headers")).toContain("WWW-Authenticate");
    const foreign = await post("/mcp", { Origin: "https://evil.example", Authorization: `Bearer ${GOOD}` });
    expect(foreign.status).toBe(403);
    expect(asked).toEqual([]);
  });

  it("answers 503 with Retry-After when the validator cannot decide, and logs why without the token", async () => {
    const response = await post("/mcp", { Authorization: `Bearer ${GOOD}` }, { BEARER_VALIDATOR: "failing" });
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect((await rpcError(response)).message).toBe("Service Unavailable: the token could not be checked right now; try again shortly.");
    const events = logged.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events).toContainEqual(
      expect.objectContaining({ event: "bearer_validation_unavailable", validator: "failing", error: "Error: backend timed out" }),
    );
    expect(logged.join("\n")).not.toContain(GOOD);
  });

  it("answers 500 for an unknown BEARER_VALIDATOR and logs the configuration error", async () => {
    const response = await post("/mcp", { Authorization: `Bearer ${GOOD}` }, { BEARER_VALIDATOR: "nope" });
    expect(response.status).toBe(500);
    expect(await response.text()).toBe("Internal Server Error\n");
    expect(logged.join("\n")).toContain('BEARER_VALIDATOR \\"nope\\" is not one of: known, failing, only-other, bad-label');
  });

  it("uses the validator BEARER_VALIDATOR names", async () => {
    expect((await post("/mcp", { Authorization: `Bearer ${GOOD}` }, { BEARER_VALIDATOR: "only-other" })).status).toBe(401);
    expect((await post("/mcp", { Authorization: `Bearer ${OTHER}` }, { BEARER_VALIDATOR: "only-other" })).status).toBe(200);
  });

  it("refuses an identity that does not validate as BearerProps", async () => {
    const response = await post("/mcp", { Authorization: `Bearer ${GOOD}` }, { BEARER_VALIDATOR: "bad-label" });
    expect(response.status).toBe(401);
  });

  it("accepts ?auth_token= only when ALLOW_QUERY_TOKEN is true, and never logs it", async () => {
    const refused = await post(`/mcp?auth_token=${GOOD}`);
    expect(refused.status).toBe(400);
    const accepted = await post(`/mcp?auth_token=${GOOD}`, {}, { ALLOW_QUERY_TOKEN: "true" });
    expect(accepted.status).toBe(200);
    expect(logged.map((line) => JSON.parse(line).route)).toEqual(["/mcp", "/mcp"]);
    expect(logged.join("\n")).not.toContain(GOOD);
  });
});

describe("bearer() with a valid token, through the MCP clients", () => {
  const inProcess = (vars: Partial<BearerAppEnv>) => (url: string | URL, init?: RequestInit) =>
    app.worker.fetch(new Request(url, init), appEnv(vars), ctx);

  it("SDK v1: getToken shows the masked token and fingerprint, never the token", async () => {
    const client = new Client({ name: "vitest-v1", version: "1.0.0" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL("/mcp", ORIGIN), {
        fetch: inProcess({}),
        requestInit: { headers: { Authorization: `Bearer ${GOOD}` } },
      }),
    );
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["add", "calculate", "getToken"]);
    const result = await client.callTool({ name: "getToken", arguments: {} });
    expect(result.structuredContent).toEqual({
      scheme: "Bearer",
      source: "header",
      masked: "good…fXYZ",
      fingerprint: await tokenFingerprint(GOOD),
      kind: "user-token",
      holder: "user:1",
    });
    expect(JSON.stringify(result)).not.toContain(GOOD);
    await client.close();
    expect(logged.join("\n")).not.toContain(GOOD);
  });

  it("SDK v2 (2026-07-28) with a query token the operator allowed", async () => {
    const client = new ModernClient({ name: "vitest-v2", version: "1.0.0" }, { versionNegotiation: { mode: { pin: "2026-07-28" } } });
    await client.connect(
      new ModernHttpTransport(new URL(`/mcp?auth_token=${OTHER}`, ORIGIN), { fetch: inProcess({ ALLOW_QUERY_TOKEN: "true" }) }),
    );
    const result = await client.callTool({ name: "getToken", arguments: {} });
    expect(result.structuredContent).toMatchObject({ source: "query", kind: "api-key", holder: "key:other", masked: "othe…uABC" });
    await client.close();
    expect(logged.join("\n")).not.toContain(OTHER);
  });
});
