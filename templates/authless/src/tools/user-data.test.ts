import type { BearerProps, ToolContext } from "@remote-mcp-workers/mcp-core";
import { describe, expect, it } from "vitest";
import { getUserData, lookUpUser, userForCredential } from "./user-data.js";

const USER_TOKEN = "uapi_demo_grace_eYWqqBY4vJ390heqIzN5jGOj";
const API_KEY = "mcpk_demo_ci_UOjtBsMkZ7L4Xo838glAtSDN";
const SERVER_TOKEN = "uapi_demo_mcp_server_7DiRCqwUZhRAb9LKGugTyCl1";
const GRACE = { id: 2, name: "Grace Hopper", email: "grace@example.com", role: "member" };

/** A user backend in this isolate, bound like a service binding; records what it was sent. */
function backend(answer: (request: Request) => Response | Promise<Response>) {
  const seen: { url: string; authorization: string | null }[] = [];
  return {
    seen,
    fetch: async (request: Request) => {
      seen.push({ url: request.url, authorization: request.headers.get("authorization") });
      return answer(request);
    },
  };
}

/** Never answers; only an abort ends the wait. */
const hanging = () => new Promise<Response>(() => {});

const userProps: BearerProps = { scheme: "Bearer", token: USER_TOKEN, source: "header", kind: "user-token", label: "user:2" };
const keyProps: BearerProps = { scheme: "Bearer", token: API_KEY, source: "header", kind: "api-key", label: "key:ci" };

function context(props: unknown, env: Record<string, unknown>, signal = new AbortController().signal): ToolContext {
  return { props, scopes: [], env, signal, progress: async () => {}, log: async () => {} };
}

const errorText = (text: string) => ({ isError: true, content: [{ type: "text", text }] });

describe("get_user_data", () => {
  it("refuses a USER_API_URL that would send the credential in cleartext, before any request", async () => {
    for (const url of ["http://users.example.com", "http://users.example.com/api/", "http://user:pass@localhost:8790"]) {
      expect(await getUserData.handler({}, context(userProps, { USER_API_URL: url })), url).toEqual(
        errorText(
          "USER_API_URL must be an https URL (plain http only on a loopback host): the credential would otherwise cross the network in cleartext.",
        ),
      );
    }
  });

  it("does not follow a redirect from the backend: the credential goes nowhere else, the tool says why", async () => {
    const api = backend(() => new Response(null, { status: 302, headers: { Location: "https://elsewhere.example/me" } }));
    expect(await getUserData.handler({}, context(userProps, { USER_API: api }))).toEqual(
      errorText("The user backend answered with a redirect (HTTP 302), which this server does not follow with a credential."),
    );
    expect(api.seen).toHaveLength(1);
  });

  it("asks the bound backend's /me with the caller's own user token and returns the profile", async () => {
    const api = backend(() => Response.json(GRACE));
    const result = await getUserData.handler({}, context(userProps, { USER_API: api }));
    expect(result).toEqual({
      content: [{ type: "text", text: "Grace Hopper <grace@example.com>, role: member (user 2)" }],
      structuredContent: GRACE,
    });
    expect(api.seen).toEqual([{ url: "https://user-api.internal/me", authorization: `Bearer ${USER_TOKEN}` }]);
    expect(getUserData.outputSchema?.safeParse(result.structuredContent).success).toBe(true);
  });

  it("never sends an API key to the backend; says how to configure a server credential", async () => {
    const api = backend(() => Response.json(GRACE));
    expect(await getUserData.handler({}, context(keyProps, { USER_API: api }))).toEqual(
      errorText(
        'You authenticated with an API key, which is not sent to the user backend. The operator can set BACKEND_CREDENTIAL="server" and the MCP_AUTH_TOKEN secret, or you can connect with your user-backend token.',
      ),
    );
    expect(api.seen).toEqual([]);
  });

  it("uses the server's MCP_AUTH_TOKEN for API-key callers when BACKEND_CREDENTIAL is server", async () => {
    const api = backend(() => Response.json({ id: 4, name: "MCP server", email: "mcp@example.com", role: "service" }));
    const env = { USER_API: api, BACKEND_CREDENTIAL: "server", MCP_AUTH_TOKEN: SERVER_TOKEN };
    const result = await getUserData.handler({}, context(keyProps, env));
    expect(result.structuredContent).toEqual({ id: 4, name: "MCP server", email: "mcp@example.com", role: "service" });
    expect(api.seen[0]?.authorization).toBe(`Bearer ${SERVER_TOKEN}`);
  });

  it("still uses a user's own token in server mode", async () => {
    const api = backend(() => Response.json(GRACE));
    await getUserData.handler({}, context(userProps, { USER_API: api, BACKEND_CREDENTIAL: "server", MCP_AUTH_TOKEN: SERVER_TOKEN }));
    expect(api.seen[0]?.authorization).toBe(`Bearer ${USER_TOKEN}`);
  });

  it("reports a missing MCP_AUTH_TOKEN in server mode", async () => {
    const result = await getUserData.handler(
      {},
      context(keyProps, { USER_API: backend(() => Response.json(GRACE)), BACKEND_CREDENTIAL: "server" }),
    );
    expect(result).toEqual(
      errorText('BACKEND_CREDENTIAL is "server" but the MCP_AUTH_TOKEN secret is not set; ask the operator to set it.'),
    );
  });

  it.each([
    [401, "The user backend rejected the credential (HTTP 401): it is unknown, expired or revoked."],
    [403, "The user backend rejected the credential (HTTP 403): it is unknown, expired or revoked."],
    [404, "The user backend has no user for this credential (HTTP 404)."],
    [500, "The user backend failed (HTTP 500); try again later."],
    [503, "The user backend failed (HTTP 503); try again later."],
    [418, "The user backend answered HTTP 418, which this server does not expect."],
  ])("turns a backend %i into a tool error a person can act on", async (status, message) => {
    const api = backend(() => new Response(`internal detail ${USER_TOKEN}`, { status }));
    const result = await getUserData.handler({}, context(userProps, { USER_API: api }));
    expect(result).toEqual(errorText(message));
  });

  it("reports a 200 that is not a user, without echoing the body", async () => {
    for (const body of ['{"id":2,"name":"Grace"}', "not json", "[]"]) {
      const api = backend(() => new Response(body, { status: 200, headers: { "Content-Type": "application/json" } }));
      expect(await getUserData.handler({}, context(userProps, { USER_API: api }))).toEqual(
        errorText("The user backend answered with something that is not a user."),
      );
    }
  });

  it("gives up after USER_API_TIMEOUT_MS even when the backend ignores the abort", async () => {
    const started = Date.now();
    const result = await getUserData.handler({}, context(userProps, { USER_API: backend(hanging), USER_API_TIMEOUT_MS: "100" }));
    expect(result).toEqual(errorText("The user backend did not answer within 0.1 s; try again later."));
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("stops waiting when the client cancels the call", async () => {
    const controller = new AbortController();
    const pending = getUserData.handler({}, context(userProps, { USER_API: backend(hanging) }, controller.signal));
    controller.abort();
    expect(await pending).toEqual(errorText("The request to the user backend was cancelled."));
  });

  it("reports an unreachable backend", async () => {
    const api = backend(() => {
      throw new TypeError(`connect ECONNREFUSED while sending ${USER_TOKEN}`);
    });
    expect(await getUserData.handler({}, context(userProps, { USER_API: api }))).toEqual(
      errorText("The user backend could not be reached; try again later."),
    );
  });

  it("reports a server with neither a binding nor a URL", async () => {
    for (const env of [{}, { USER_API_URL: "" }, { USER_API_URL: "ftp://example.com" }]) {
      expect(await getUserData.handler({}, context(userProps, env))).toEqual(
        errorText("The user backend is not configured on this server: bind USER_API or set USER_API_URL."),
      );
    }
  });

  it("is a tool error on a connection without a bearer credential", async () => {
    expect(await getUserData.handler({}, context(undefined, { USER_API: backend(() => Response.json(GRACE)) }))).toEqual(
      errorText("get_user_data needs a bearer-authenticated connection; this one has no credential."),
    );
  });
});

describe("lookUpUser", () => {
  it("prefers the USER_API binding over USER_API_URL", async () => {
    const api = backend(() => Response.json(GRACE));
    const result = await lookUpUser({ USER_API: api, USER_API_URL: "http://127.0.0.1:1/" }, USER_TOKEN);
    expect(result).toEqual({ ok: true, user: GRACE });
    expect(api.seen).toHaveLength(1);
  });
});

describe("userForCredential (bearer validation by the backend)", () => {
  it("resolves to the user, or null when the backend says the token is not valid", async () => {
    expect(await userForCredential({ USER_API: backend(() => Response.json(GRACE)) }, USER_TOKEN)).toEqual(GRACE);
    expect(await userForCredential({ USER_API: backend(() => new Response(null, { status: 401 })) }, "nope")).toBeNull();
    expect(await userForCredential({ USER_API: backend(() => new Response(null, { status: 404 })) }, "nope")).toBeNull();
  });

  it("throws, without the token, when the backend cannot answer", async () => {
    const failing = { USER_API: backend(() => new Response(null, { status: 502 })) };
    await expect(userForCredential(failing, USER_TOKEN)).rejects.toThrow(
      "user backend unavailable: The user backend failed (HTTP 502); try again later.",
    );
    const slow = { USER_API: backend(hanging), USER_API_TIMEOUT_MS: "50" };
    await expect(userForCredential(slow, USER_TOKEN)).rejects.toThrow(/^user backend timeout: /);
  });
});
