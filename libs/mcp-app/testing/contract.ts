// One suite every app runs (the shared MCP contract). Its cases share one running server and one set
// of credentials, and about half of the module is the helpers they use, so it stays one file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectModernClient, connectSdkClient } from "./clients.js";
import { printServerLogOnFailure } from "./failures.js";
import { challengeParam, type HeaderMap, initializeRequest, jsonRpcErrorOf, postJsonRpc, probeSse } from "./http.js";
import { loggedToolCalls } from "./logs.js";
import { mockSignIn, TestOAuthProvider } from "./oauth.js";
import { type AuthorizationServerMetadata, authorizeClient, type Browse, type ProtectedResourceMetadata } from "./oauth-flow.js";

/**
 * How the app under test authenticates MCP clients:
 * - "none": a public server;
 * - "oauth-mock": its own OAuth server with the mock sign-in page (libs/auth-handlers);
 * - { browse }: its own OAuth server with another sign-in; `browse` plays the user from the
 *   authorization URL to the client's callback (e.g. through a mocked GitHub);
 * - { headers }: a static credential sent on every request (e.g. a bearer token).
 */
export type ContractAuth = "none" | "oauth-mock" | { browse: Browse } | { headers: HeaderMap };

/** What the contract needs from a running app; a DevServer from startDevServer() fits. */
export interface ContractServer {
  origin: string;
  stop(): Promise<void>;
  /** The server's output, printed under a failing test when available. */
  logs?(): string;
}

export interface McpContractOptions {
  /** Names the describe block, e.g. the app's package name. */
  name: string;
  /** Starts the app once for the whole contract; stopped after it. */
  start: () => Promise<ContractServer>;
  auth: ContractAuth;
  /** Every tool the server must list, and no other. */
  expectedTools: readonly string[];
}

/** A loopback origin a browser-based client calls from (MCP Inspector's default UI port). */
const LOOPBACK_BROWSER_ORIGIN = "http://localhost:6274";
const FOREIGN_ORIGIN = "https://evil.example";

interface ListedTool {
  name: string;
  description?: string;
  inputSchema: { type: string; properties?: Record<string, unknown> };
}

type Lister = (origin: string, auth: ContractAuth) => Promise<ListedTool[]>;

const browseOf = (auth: ContractAuth): Browse | undefined =>
  auth === "oauth-mock" ? (url) => mockSignIn(url) : typeof auth === "object" && "browse" in auth ? auth.browse : undefined;

const headersOf = (auth: ContractAuth): HeaderMap | undefined => (typeof auth === "object" && "headers" in auth ? auth.headers : undefined);

/** Each client gets its own OAuth client registration and sign-in, as separate hosts would. */
const oauthFor = (auth: ContractAuth): TestOAuthProvider | undefined => {
  const browse = browseOf(auth);
  return browse && new TestOAuthProvider(browse);
};

const listers: ReadonlyArray<[string, Lister]> = [
  [
    "SDK v1 (2025-11-25) over Streamable HTTP /mcp",
    async (origin, auth) => {
      const client = await connectSdkClient(`${origin}/mcp`, "streamable-http", oauthFor(auth), headersOf(auth));
      const { tools } = await client.listTools();
      await client.close();
      return tools;
    },
  ],
  [
    "SDK v2 pinned to 2026-07-28 over /mcp",
    async (origin, auth) => {
      const client = await connectModernClient(`${origin}/mcp`, oauthFor(auth), headersOf(auth));
      const { tools } = await client.listTools();
      await client.close();
      return tools;
    },
  ],
  [
    "SDK v1 over legacy SSE /sse",
    async (origin, auth) => {
      const client = await connectSdkClient(`${origin}/sse`, "sse", oauthFor(auth), headersOf(auth));
      const { tools } = await client.listTools();
      await client.close();
      return tools;
    },
  ],
];

/** count_slowly's arguments for a call that takes 30 s unless it is cancelled. */
const LONG_COUNT = { name: "count_slowly", arguments: { to: 30, delayMs: 1000 } } as const;
/** The client gives up this long after calling: after the first progress step (at 1 s) on a loaded machine too. */
const GIVE_UP_AFTER_MS = 2500;
/**
 * A cancelled call must have stopped this long after it started: a third of the full call. The
 * server notices a client that left at its next write (a keep-alive or a progress event, one a
 * second), and under `wrangler dev` one write later, as the disconnect crosses wrangler's proxy.
 */
const STOPPED_WITHIN_MS = 10_000;

interface GiveUpOptions {
  signal: AbortSignal;
  onprogress?: (progress: { progress: number }) => void;
}

/** Calls count_slowly through `callTool` and gives up after GIVE_UP_AFTER_MS: the call rejects. */
async function giveUp(callTool: (options: GiveUpOptions) => Promise<unknown>, withProgress: boolean): Promise<void> {
  const steps: number[] = [];
  const onprogress = ({ progress }: { progress: number }) => void steps.push(progress);
  await expect(callTool({ signal: AbortSignal.timeout(GIVE_UP_AFTER_MS), ...(withProgress && { onprogress }) })).rejects.toThrow();
  // The steps that came before giving up, from the first and in order; none without a progress token.
  expect(steps).toEqual(steps.map((_, index) => index + 1));
  expect(steps.length > 0).toBe(withProgress);
}

/** Calls count_slowly, gives up on it and leaves, the way each client does. */
type Canceller = (origin: string, auth: ContractAuth) => Promise<void>;

const cancellers = [false, true].flatMap((withProgress): Array<[string, Canceller]> => {
  const answered = withProgress ? " with progress (answered as an SSE stream)" : "";
  return [
    [
      `SDK v1 (2025-11-25)${answered}: the call is cancelled, then the client closes its transport`,
      async (origin, auth) => {
        const client = await connectSdkClient(`${origin}/mcp`, "streamable-http", oauthFor(auth), headersOf(auth));
        await giveUp((options) => client.callTool(LONG_COUNT, undefined, options), withProgress);
        // Its notifications/cancelled reaches no stateless server: the request ends when the client closes.
        await client.close();
      },
    ],
    [
      `SDK v2 pinned to 2026-07-28${answered}: the call is aborted, which closes its response stream`,
      async (origin, auth) => {
        const client = await connectModernClient(`${origin}/mcp`, oauthFor(auth), headersOf(auth));
        await giveUp((options) => client.callTool(LONG_COUNT, options), withProgress);
        await client.close();
      },
    ],
  ];
});

/** Headers that authenticate a raw request, obtained the way the app's clients obtain them. */
async function credentialsFor(origin: string, auth: ContractAuth): Promise<HeaderMap> {
  if (auth === "none") return {};
  const headers = headersOf(auth);
  if (headers) return headers;
  const browse = browseOf(auth) as Browse;
  const tokens = await authorizeClient(origin, browse, "mcp contract raw client");
  return { Authorization: `Bearer ${tokens.access_token}` };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(response.status, `GET ${url}`).toBe(200);
  return (await response.json()) as T;
}

/**
 * RFC 9728 + RFC 8414: the challenge's metadata names this resource and, for an app that signs
 * users in, an authorization server that publishes its endpoints. A static-token app has no
 * authorization server (RFC 9728 makes `authorization_servers` optional), so it must name none.
 */
async function expectDiscoverableAuthorization(origin: string, challenge: string | null, signsIn: boolean): Promise<void> {
  const metadataUrl = challengeParam(challenge, "resource_metadata");
  expect(metadataUrl, `WWW-Authenticate: ${challenge}`).toBe(`${origin}/.well-known/oauth-protected-resource`);
  const resource = await getJson<ProtectedResourceMetadata>(metadataUrl as string);
  expect(resource.resource).toBe(origin);
  if (!signsIn) {
    expect(resource.authorization_servers ?? []).toEqual([]);
    return;
  }
  expect(resource.authorization_servers).toHaveLength(1);
  const issuer = resource.authorization_servers[0] as string;
  const server = await getJson<AuthorizationServerMetadata>(`${issuer}/.well-known/oauth-authorization-server`);
  expect(server.issuer).toBe(issuer);
  expect(server.code_challenge_methods_supported).toEqual(["S256"]);
  for (const endpoint of [server.authorization_endpoint, server.token_endpoint, server.registration_endpoint]) {
    expect(endpoint.startsWith(`${issuer}/`)).toBe(true);
  }
}

/** Polls until `find` returns something, for up to 35 s (longer than any count_slowly call). */
async function waitFor<T>(find: () => T | undefined, timeoutMs = 35_000): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const found = find();
    if (found !== undefined) return found;
  }
  throw new Error(`nothing found in ${timeoutMs} ms`);
}

/** Tool names from the landing page's `<ul id="tools">` list. */
function landingTools(html: string): string[] {
  const list = /<ul id="tools">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li><code>([^<]+)<\/code>/g)].map((match) => match[1] as string);
}

/**
 * Registers the behaviour every MCP app in this repo promises, as vitest tests against one running
 * instance: the tool list over every transport and protocol era, the auth challenge, Origin checks,
 * CORS for loopback browser clients, transport-level errors and the landing page.
 */
export function mcpContract(options: McpContractOptions): void {
  const { auth } = options;
  const expectedTools = [...options.expectedTools].sort();
  const authenticated = auth !== "none";

  describe(`${options.name}: MCP contract`, () => {
    let server: ContractServer | undefined;
    let origin = "";
    let credentials: HeaderMap = {};

    beforeAll(async () => {
      server = await options.start();
      origin = server.origin;
      credentials = await credentialsFor(origin, auth);
    });
    afterAll(async () => {
      await server?.stop();
    });
    printServerLogOnFailure(() => server);

    describe("tools/list names exactly the expected tools, each described and with an input schema", () => {
      it.each(listers)("%s", async (_, list) => {
        const tools = await list(origin, auth);
        expect(tools.map((tool) => tool.name).sort()).toEqual(expectedTools);
        for (const tool of tools) {
          expect(tool.description?.trim(), tool.name).toBeTruthy();
          expect(tool.inputSchema.type, tool.name).toBe("object");
          expect(tool.inputSchema.properties, tool.name).toBeTypeOf("object");
        }
      });
    });

    if (authenticated) {
      it("challenges a request without valid credentials: 401 with a Bearer challenge on /mcp and /sse", async () => {
        const wrong = { Authorization: "Bearer e2e-contract-not-a-valid-token" };
        const responses = [
          await postJsonRpc(`${origin}/mcp`, initializeRequest),
          await probeSse(`${origin}/sse`),
          await postJsonRpc(`${origin}/mcp`, initializeRequest, wrong),
          await probeSse(`${origin}/sse`, wrong),
        ];
        for (const response of responses) {
          expect(response.status, response.url).toBe(401);
          const challenge = response.headers.get("www-authenticate");
          expect(challenge).toMatch(/^Bearer\b/);
          // OAuth apps must say where to sign in; a static-token app may, and then it must be right.
          if (browseOf(auth) || challengeParam(challenge, "resource_metadata")) {
            await expectDiscoverableAuthorization(origin, challenge, headersOf(auth) === undefined);
          }
        }
      });
    } else {
      it("serves a request without credentials (public server)", async () => {
        const response = await postJsonRpc(`${origin}/mcp`, initializeRequest);
        expect(response.status).toBe(200);
        const body = (await response.json()) as { result?: { protocolVersion?: string } };
        expect(body.result?.protocolVersion).toBe("2025-11-25");
      });
    }

    describe("refuses browser origins it does not serve with 403 (DNS-rebinding protection)", () => {
      const cases = [FOREIGN_ORIGIN, "null"].flatMap((value) => [
        [`POST /mcp, Origin: ${value}`, value, "mcp"],
        [`GET /sse, Origin: ${value}`, value, "sse"],
      ]) as Array<[string, string, "mcp" | "sse"]>;
      it.each(cases)("%s", async (_, value, path) => {
        const headers = { ...credentials, Origin: value };
        const response =
          path === "mcp" ? await postJsonRpc(`${origin}/mcp`, initializeRequest, headers) : await probeSse(`${origin}/sse`, headers);
        expect(response.status).toBe(403);
        expect(response.headers.get("access-control-allow-origin")).toBeNull();
        expect((await jsonRpcErrorOf(response)).error.message).toMatch(/Origin/);
      });
    });

    it(`allows a CORS preflight from a loopback browser origin (${LOOPBACK_BROWSER_ORIGIN})`, async () => {
      const response = await fetch(`${origin}/mcp`, {
        method: "OPTIONS",
        headers: {
          Origin: LOOPBACK_BROWSER_ORIGIN,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "authorization, content-type, mcp-protocol-version, mcp-session-id",
        },
      });
      expect(response.status).toBe(204);
      expect(response.headers.get("access-control-allow-origin")).toBe(LOOPBACK_BROWSER_ORIGIN);
      expect(response.headers.get("access-control-allow-methods")?.split(/,\s*/)).toContain("POST");
      const allowed = response.headers.get("access-control-allow-headers")?.toLowerCase().split(/,\s*/) ?? [];
      expect(allowed).toEqual(expect.arrayContaining(["authorization", "content-type", "mcp-protocol-version", "mcp-session-id"]));
    });

    it("answers a loopback browser origin with CORS headers a browser client can read", async () => {
      const response = await postJsonRpc(`${origin}/mcp`, initializeRequest, { ...credentials, Origin: LOOPBACK_BROWSER_ORIGIN });
      expect(response.status).toBe(200);
      expect(response.headers.get("access-control-allow-origin")).toBe(LOOPBACK_BROWSER_ORIGIN);
      await response.body?.cancel();
    });

    if (authenticated) {
      it("sends the 401 challenge to a loopback browser origin with CORS, WWW-Authenticate exposed", async () => {
        // Without this a browser client cannot see the 401 or find where to sign in.
        const response = await postJsonRpc(`${origin}/mcp`, initializeRequest, { Origin: LOOPBACK_BROWSER_ORIGIN });
        expect(response.status).toBe(401);
        expect(response.headers.get("access-control-allow-origin")).toBe(LOOPBACK_BROWSER_ORIGIN);
        expect(response.headers.get("access-control-expose-headers")?.toLowerCase().split(/,\s*/)).toContain("www-authenticate");
      });
    }

    it("answers malformed JSON with HTTP 400 and JSON-RPC parse error -32700", async () => {
      const response = await postJsonRpc(`${origin}/mcp`, '{"jsonrpc":"2.0","id":1,"method":', credentials);
      expect(response.status).toBe(400);
      const body = await jsonRpcErrorOf(response);
      expect(body.id).toBeNull();
      expect(body.error.code).toBe(-32700);
    });

    it("answers GET /mcp with 405 and Allow: POST (no standalone server stream)", async () => {
      const response = await fetch(`${origin}/mcp`, { headers: { ...credentials, Accept: "text/event-stream" } });
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")?.split(/,\s*/)).toContain("POST");
      expect((await jsonRpcErrorOf(response)).error.code).toBe(-32000);
    });

    it("answers a request carrying an unknown Mcp-Session-Id with 404", async () => {
      const response = await postJsonRpc(
        `${origin}/mcp`,
        { jsonrpc: "2.0", id: 2, method: "tools/list" },
        { ...credentials, "Mcp-Session-Id": "e2e-session-that-was-never-issued", "Mcp-Protocol-Version": "2025-11-25" },
      );
      expect(response.status).toBe(404);
      expect((await jsonRpcErrorOf(response)).error.code).toBe(-32001);
    });

    if (expectedTools.includes("count_slowly")) {
      describe("stops count_slowly over /mcp when the client gives up on it and leaves", () => {
        it.each(cancellers)("%s", async (_, cancelLongCall) => {
          const logs = server?.logs;
          if (!logs) throw new Error("this check reads the app's log: start() must return a server with logs()");
          const since = logs().length;
          await cancelLongCall(origin, auth);
          const stopped = await waitFor(() => loggedToolCalls(logs().slice(since)).find((call) => call.tool === "count_slowly"));
          expect(stopped.outcome, "a count_slowly that ran to the end").toBe("tool_error");
          expect(stopped.ms).toBeLessThan(STOPPED_WITHIN_MS);
        });
      });
    }

    it("lists the tools on the / landing page", async () => {
      const response = await fetch(`${origin}/`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(landingTools(await response.text()).sort()).toEqual(expectedTools);
    });
  });
}
