import {
  type ClientCapabilities,
  Client as ModernClient,
  StreamableHTTPClientTransport as ModernHttpTransport,
} from "@modelcontextprotocol/client";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { TestOAuthProvider } from "./oauth.js";

export type TransportKind = "streamable-http" | "sse";

interface Authorizable {
  finishAuth(code: string, iss?: string): Promise<void>;
}

/** Connects, and when the server answers 401, completes the OAuth flow through `auth` and connects again. */
async function connectWithAuth<C extends { connect(t: never): Promise<void> }, T extends Authorizable>(
  makeClient: () => C,
  makeTransport: () => T,
  auth: TestOAuthProvider | undefined,
): Promise<C> {
  const first = makeTransport();
  const client = makeClient();
  try {
    await client.connect(first as never);
    return client;
  } catch (error) {
    if (!auth || !(error instanceof Error) || !/unauthori[sz]ed/i.test(`${error.name} ${error.message}`)) throw error;
    // RFC 9207: the callback's iss goes with the code (the v1 client ignores it).
    await first.finishAuth(auth.code(), auth.lastRedirect?.searchParams.get("iss") ?? undefined);
  }
  const again = makeClient();
  await again.connect(makeTransport() as never);
  return again;
}

/** The MCP TypeScript SDK v1 client (protocol 2025-11-25) over Streamable HTTP or legacy SSE. */
export function connectSdkClient(
  url: string | URL,
  kind: TransportKind,
  auth?: TestOAuthProvider,
  headers?: Record<string, string>,
): Promise<Client> {
  const target = new URL(url);
  const options = { ...(auth && { authProvider: auth }), ...(headers && { requestInit: { headers } }) };
  return connectWithAuth(
    () => new Client({ name: "e2e-sdk-v1", version: "1.0.0" }),
    () =>
      kind === "sse"
        ? new SSEClientTransport(target, {
            ...options,
            ...(headers && {
              eventSourceInit: {
                fetch: (u, init) => fetch(u, { ...init, headers: { ...(init?.headers as Record<string, string>), ...headers } }),
              },
            }),
          })
        : new StreamableHTTPClientTransport(target, options),
    auth,
  );
}

/**
 * The v2 client (@modelcontextprotocol/client) pinned to protocol 2026-07-28; `extensions` are
 * declared in its client capabilities (sent with every request on this protocol).
 */
export function connectModernClient(
  url: string | URL,
  auth?: TestOAuthProvider,
  headers?: Record<string, string>,
  extensions?: ClientCapabilities["extensions"],
): Promise<ModernClient> {
  const target = new URL(url);
  const options = {
    versionNegotiation: { mode: { pin: "2026-07-28" } },
    ...(extensions && { capabilities: { extensions } }),
  } as const;
  return connectWithAuth(
    () => new ModernClient({ name: "e2e-sdk-v2", version: "1.0.0" }, options),
    () => new ModernHttpTransport(target, { ...(auth && { authProvider: auth }), ...(headers && { requestInit: { headers } }) }),
    auth,
  );
}

export { UnauthorizedError };
