import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { userForToken } from "./users.js";

// The real Worker against a D1 database with the migrations and demo seed applied (test/setup.ts).

const TOKENS = {
  ada: "uapi_demo_ada_vjei4t2Gzepa0rAuEOuL3eRs",
  grace: "uapi_demo_grace_eYWqqBY4vJ390heqIzN5jGOj",
  alan: "uapi_demo_alan_Ze0CbAhMaNUAYC3uFmfhugJ-",
  server: "uapi_demo_mcp_server_7DiRCqwUZhRAb9LKGugTyCl1",
};
const ADA = { id: 1, name: "Ada Lovelace", email: "ada@example.com", role: "admin" };
const GRACE = { id: 2, name: "Grace Hopper", email: "grace@example.com", role: "member" };

const get = (path: string, authorization?: string) =>
  exports.default.fetch(new Request(`http://localhost:8790${path}`, authorization ? { headers: { Authorization: authorization } } : {}));

describe("GET /me", () => {
  it.each([
    ["ada", TOKENS.ada, ADA],
    ["grace", TOKENS.grace, GRACE],
    ["alan", TOKENS.alan, { id: 3, name: "Alan Turing", email: "alan@example.com", role: "viewer" }],
    [
      "the MCP server's service account",
      TOKENS.server,
      { id: 4, name: "MCP server (service account)", email: "mcp-server@example.com", role: "service" },
    ],
  ])("returns %s for their demo token", async (_, token, user) => {
    const response = await get("/me", `Bearer ${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(user);
  });

  it("answers 401 with a Bearer challenge without a token", async () => {
    const response = await get("/me");
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toBe('Bearer realm=""');
    expect(await response.json()).toEqual({ error: "unauthorized", message: "Send Authorization: Bearer <token>." });
  });

  it("answers 401 invalid_token for an unknown token, the stored digest, or a near miss", async () => {
    for (const token of [
      "uapi_demo_nobody_0000000000000000",
      "fdfe88f6a38aabdd2bffee1b6a8fd5bf9bdb173f3e4a6b25d9524f0902af2fc0",
      `${TOKENS.ada}x`,
    ]) {
      const response = await get("/me", `Bearer ${token}`);
      expect(response.status, token).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
      expect(await response.json()).toEqual({ error: "invalid_token", message: "This token is unknown or revoked." });
    }
  });

  it.each(["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Bearer a,b"])("answers 400 invalid_request for %j", async (header) => {
    const response = await get("/me", header);
    expect(response.status).toBe(400);
    expect(response.headers.get("www-authenticate")).toBe('Bearer error="invalid_request"');
  });

  it("stops accepting a token once its row is deleted (revocation)", async () => {
    const row = await env.DB.prepare("SELECT * FROM tokens WHERE user_id = 2").first<{ token_sha256: string; label: string }>();
    await env.DB.prepare("DELETE FROM tokens WHERE user_id = 2").run();
    try {
      expect((await get("/me", `Bearer ${TOKENS.grace}`)).status).toBe(401);
    } finally {
      // Storage is shared by the tests in this file: put the seed row back.
      await env.DB.prepare("INSERT INTO tokens (token_sha256, user_id, label) VALUES (?, 2, ?)").bind(row?.token_sha256, row?.label).run();
    }
    expect((await get("/me", `Bearer ${TOKENS.grace}`)).status).toBe(200);
  });
});

describe("GET /users/:id", () => {
  it("lets an admin read anyone, and anyone read themselves", async () => {
    expect(await (await get("/users/2", `Bearer ${TOKENS.ada}`)).json()).toEqual(GRACE);
    expect(await (await get("/users/2", `Bearer ${TOKENS.grace}`)).json()).toEqual(GRACE);
  });

  it("refuses other users' records to non-admins with 403", async () => {
    const response = await get("/users/1", `Bearer ${TOKENS.grace}`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ error: "forbidden", message: "Only admins may read other users." });
  });

  it.each(["/users/99", "/users/0", "/users/abc", "/users/1.5"])("answers 404 for %s", async (path) => {
    const response = await get(path, `Bearer ${TOKENS.ada}`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "not_found", message: "No such user." });
  });

  it("needs a token", async () => {
    expect((await get("/users/1")).status).toBe(401);
  });
});

describe("the rest", () => {
  it("describes itself at / and answers unknown routes 404 in JSON", async () => {
    expect(await (await get("/")).json()).toEqual({ name: "example-user-api", endpoints: ["GET /me", "GET /users/:id"] });
    const missing = await get("/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not_found", message: "No such route." });
  });

  it("stores tokens only as SHA-256 digests", async () => {
    const rows = await env.DB.prepare("SELECT token_sha256 FROM tokens").all<{ token_sha256: string }>();
    expect(rows.results).toHaveLength(4);
    for (const { token_sha256 } of rows.results) expect(token_sha256).toMatch(/^[0-9a-f]{64}$/);
    const all = JSON.stringify(await env.DB.prepare("SELECT * FROM tokens").all());
    for (const token of Object.values(TOKENS)) expect(all).not.toContain(token);
    expect(await userForToken(env.DB, TOKENS.ada)).toEqual(ADA);
  });
});

describe("the request log", () => {
  afterEach(() => vi.restoreAllMocks());

  it("logs one line per request in the caller's trace, naming the caller's span as parent, never the token", async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(JSON.parse(line)));
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const response = await exports.default.fetch(
      new Request("http://localhost:8790/me", { headers: { Authorization: `Bearer ${TOKENS.ada}`, traceparent } }),
    );
    expect(response.status).toBe(200);
    expect(lines).toEqual([
      expect.objectContaining({
        app: "example-user-api",
        method: "GET",
        route: "/me",
        status: 200,
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        parent_span_id: "00f067aa0ba902b7",
      }),
    ]);
    expect(lines[0]?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(lines)).not.toContain(TOKENS.ada);
  });

  it("starts a trace of its own for a malformed traceparent", async () => {
    const lines: Record<string, unknown>[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(JSON.parse(line)));
    await exports.default.fetch(new Request("http://localhost:8790/", { headers: { traceparent: "00-zz-00f067aa0ba902b7-01" } }));
    expect(lines.length).toBe(1);
    expect(lines[0]?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(lines[0]?.parent_span_id).toBeUndefined();
  });
});
