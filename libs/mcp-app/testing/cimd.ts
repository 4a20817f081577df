import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createPrivateKeyJwtAuth } from "@modelcontextprotocol/sdk/client/auth-extensions.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectModernClient, connectSdkClient } from "./clients.js";
import type { DevServer, DevServerOptions } from "./dev-server.js";
import { freePort } from "./dev-server.js";
import { type DocumentHost, startDocumentHost } from "./document-host.js";
import { printServerLogOnFailure } from "./failures.js";
import { loggedRequests } from "./logs.js";
import { TestOAuthProvider } from "./oauth.js";
import { type AuthorizationServerMetadata, authorizationUrl, type Browse, createPkce, discoverAuthorizationServer } from "./oauth-flow.js";

export interface CimdSuiteOptions {
  name: string;
  /** Starts the app under `wrangler dev` with these extra options (the document host's trust, an --env). */
  start(options: Partial<DevServerOptions>): Promise<DevServer>;
  /** Plays the user through the app's sign-in and consent; returns where the browser landed. */
  browse: Browse;
}

/** Where the test clients' browsers land; nothing listens there (browse returns the redirect). */
const REDIRECT_URI = "http://127.0.0.1:65500/callback";

/** A client's metadata document, as a client publishes it at its client_id URL. */
export const clientDocument = (clientId: string, extra: object = {}) => ({
  client_id: clientId,
  client_name: "CIMD e2e client",
  client_uri: new URL(clientId).origin,
  redirect_uris: [REDIRECT_URI],
  grant_types: ["authorization_code", "refresh_token"],
  response_types: ["code"],
  token_endpoint_auth_method: "none",
  ...extra,
});

/**
 * Client ID Metadata Documents (MCP 2026-07-28 authorization) against one OAuth app: real MCP
 * SDK clients that identify with a document served from a loopback HTTPS host sign in and call
 * tools; hostile documents and document URLs are refused with `invalid_client` naming the reason,
 * and the app's staging and production configurations refuse loopback and private-address
 * documents that local development allows.
 */
export function cimdSuite(options: CimdSuiteOptions): void {
  let host: DocumentHost;
  let server: DevServer;
  let metadata: AuthorizationServerMetadata;

  describe(`${options.name}: Client ID Metadata Documents`, () => {
    beforeAll(async () => {
      host = await startDocumentHost();
      server = await options.start({ env: host.trustEnv });
      metadata = await discoverAuthorizationServer(server.origin);
    });
    afterAll(async () => {
      await server?.stop();
      await host?.close();
    });
    printServerLogOnFailure(() => server);

    /** GETs the authorization page for a document client; the page or the redirect it answers. */
    const authorize = async (clientId: string, redirectUri = REDIRECT_URI) => {
      const url = authorizationUrl(metadata, {
        clientId,
        redirectUri,
        state: "s",
        codeChallenge: createPkce().challenge,
        resource: server.origin,
      });
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(15_000) });
      return { status: response.status, location: response.headers.get("location"), html: await response.text() };
    };

    it("the metadata says documents are supported, beside dynamic registration", async () => {
      const document = metadata as AuthorizationServerMetadata & Record<string, unknown>;
      expect(document.client_id_metadata_document_supported).toBe(true);
      expect(document.registration_endpoint).toBe(`${server.origin}/register`);
      expect(document.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(["none", "private_key_jwt"]));
    });

    it("the v2 SDK client (2026-07-28) signs in with its document, lists and calls tools on /mcp, and never registers", async () => {
      const clientId = host.serve(clientDocument(`${host.origin}/v2/client.json`), "/v2/client.json");
      const auth = new TestOAuthProvider(options.browse, REDIRECT_URI);
      auth.clientMetadataUrl = clientId;
      const offset = server.logs().length;
      const client = await connectModernClient(`${server.origin}/mcp`, auth);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((tool) => tool.name)).toContain("add");
        expect(await client.callTool({ name: "add", arguments: { a: 2, b: 3 } })).toMatchObject({ structuredContent: { result: 5 } });
      } finally {
        await client.close();
      }
      expect(auth.clientInformation()?.client_id).toBe(clientId);
      expect(host.requested).toContain("/v2/client.json");
      const routes = loggedRequests(server.logs().slice(offset)).map((request) => request.route);
      expect(routes).toContain("/token");
      expect(routes).not.toContain("/register");
    });

    it("the v1 SDK client (2025-11-25) signs in with its document over /sse", async () => {
      const clientId = host.serve(clientDocument(`${host.origin}/v1/client.json`), "/v1/client.json");
      const auth = new TestOAuthProvider(options.browse, REDIRECT_URI);
      auth.clientMetadataUrl = clientId;
      const client = await connectSdkClient(`${server.origin}/sse`, "sse", auth);
      try {
        expect(await client.callTool({ name: "add", arguments: { a: 1, b: 1 } })).toMatchObject({ structuredContent: { result: 2 } });
      } finally {
        await client.close();
      }
      expect(auth.clientInformation()?.client_id).toBe(clientId);
    });

    it("the consent page names the document's host as the client's identity, its name escaped", async () => {
      const clientId = `${host.origin}/consent/client.json`;
      host.serve(clientDocument(clientId, { client_name: "<b>Evil</b> & Co" }), "/consent/client.json");
      const page = await authorize(clientId);
      expect(page.status, page.html).toBe(200);
      expect(page.html).toContain("Published by <strong>localhost</strong>");
      expect(page.html).toContain("&#60;b&#62;Evil&#60;/b&#62; &#38; Co");
      expect(page.html).not.toContain("<b>Evil");
      expect(page.html).not.toContain("registered itself");
    });

    describe("private_key_jwt: a document that declares its keys", () => {
      /** An ES256 key pair: the public JWK for the document, the private one for the client. */
      const keyPair = () => {
        const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
        const kid = randomUUID();
        return {
          jwks: { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "ES256", use: "sig" }] },
          privateJwk: { ...privateKey.export({ format: "jwk" }), kid },
        };
      };
      /** The v1 SDK client whose token requests carry an assertion signed by `signingKey` (none: unsigned). */
      const signInSigned = async (clientId: string, signingKey: Record<string, unknown> | undefined) => {
        const auth = new TestOAuthProvider(options.browse, REDIRECT_URI);
        auth.clientMetadataUrl = clientId;
        if (signingKey) {
          auth.addClientAuthentication = createPrivateKeyJwtAuth({
            issuer: clientId,
            subject: clientId,
            privateKey: signingKey,
            alg: "ES256",
          });
        }
        const client = await connectSdkClient(`${server.origin}/mcp`, "streamable-http", auth);
        try {
          return await client.callTool({ name: "add", arguments: { a: 20, b: 22 } });
        } finally {
          await client.close();
        }
      };
      const signedDocument = (clientId: string, keys: object) =>
        clientDocument(clientId, { token_endpoint_auth_method: "private_key_jwt", token_endpoint_auth_signing_alg: "ES256", ...keys });

      it("with its keys inline (jwks), the SDK's createPrivateKeyJwtAuth signs in and calls a tool", async () => {
        const { jwks, privateJwk } = keyPair();
        const clientId = host.serve(signedDocument(`${host.origin}/jwt-inline/client.json`, { jwks }), "/jwt-inline/client.json");
        expect(await signInSigned(clientId, privateJwk)).toMatchObject({ structuredContent: { result: 42 } });
      });

      it("with its keys at jwks_uri on its own host (fetched under the same policy), it signs in too", async () => {
        const { jwks, privateJwk } = keyPair();
        const jwksUri = host.serve(jwks, "/jwt-uri/jwks.json");
        const clientId = host.serve(signedDocument(`${host.origin}/jwt-uri/client.json`, { jwks_uri: jwksUri }), "/jwt-uri/client.json");
        const before = host.requested.length;
        expect(await signInSigned(clientId, privateJwk)).toMatchObject({ structuredContent: { result: 42 } });
        expect(host.requested.slice(before)).toContain("/jwt-uri/jwks.json");
      });

      it("an assertion signed by another key, or none at all, gets no token", async () => {
        const { jwks } = keyPair();
        const clientId = host.serve(signedDocument(`${host.origin}/jwt-wrong/client.json`, { jwks }), "/jwt-wrong/client.json");
        await expect(signInSigned(clientId, keyPair().privateJwk)).rejects.toThrow(/invalid_client|Client authentication failed/);
        await expect(signInSigned(clientId, undefined)).rejects.toThrow(/invalid_client|Client authentication failed/);
      });
    });

    /** A refusal at /authorize: a 400 page naming the reason, and no redirect anywhere. */
    const expectRefused = async (clientId: string, reason: RegExp, redirectUri = REDIRECT_URI) => {
      const page = await authorize(clientId, redirectUri);
      expect(page.status, page.html).toBe(400);
      expect(page.location).toBeNull();
      expect(page.html).toMatch(reason);
      return page;
    };

    it("a document whose client_id is another URL is refused", async () => {
      const clientId = host.serve(clientDocument(`${host.origin}/someone-else/client.json`));
      await expectRefused(clientId, /does not match metadata URL/);
    });

    it("an oversized document is refused, also when it does not say its length", async () => {
      const big = clientDocument(`${host.origin}/big/client.json`, { logo_uri: `${host.origin}/${"x".repeat(6000)}` });
      host.serve(big, "/big/client.json");
      await expectRefused(`${host.origin}/big/client.json`, /larger than 5120 bytes/);
      const streamed = `${host.origin}/big-chunked/client.json`;
      host.serve((_, response) => {
        response.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
        response.write(JSON.stringify(clientDocument(streamed)).slice(0, -1));
        response.end(`, "policy_uri": "${host.origin}/${"y".repeat(6000)}"}`);
      }, "/big-chunked/client.json");
      await expectRefused(streamed, /larger than 5120 bytes/);
    });

    it("a document that redirects, even to a host serving a matching document, is refused", async () => {
      const clientId = `${host.origin}/moved/client.json`;
      const target = `https://127.0.0.1:${new URL(host.origin).port}/elsewhere/client.json`;
      host.serve(clientDocument(clientId), "/elsewhere/client.json");
      host.serve((_, response) => response.writeHead(302, { Location: target }).end(), "/moved/client.json");
      const before = host.requested.length;
      await expectRefused(clientId, /answered 302, a redirect/);
      expect(host.requested.slice(before)).toEqual(["/moved/client.json"]);
    });

    it("a redirect URI the document does not list is refused, and never redirected to", async () => {
      const clientId = host.serve(clientDocument(`${host.origin}/strict/client.json`), "/strict/client.json");
      await expectRefused(clientId, /Invalid redirect URI/, "http://127.0.0.1:65500/callback/other");
      await expectRefused(clientId, /Invalid redirect URI/, "https://attacker.example/callback");
    });

    it("a document listing a javascript: redirect URI is refused", async () => {
      const clientId = `${host.origin}/js/client.json`;
      host.serve(clientDocument(clientId, { redirect_uris: ["javascript:alert(document.cookie)"] }), "/js/client.json");
      await expectRefused(clientId, /could not be used: Invalid redirect URI/, "javascript:alert(document.cookie)");
      const mixed = `${host.origin}/js-mixed/client.json`;
      host.serve(clientDocument(mixed, { redirect_uris: [REDIRECT_URI, "javascript:alert(1)"] }), "/js-mixed/client.json");
      await expectRefused(mixed, /could not be used: Invalid redirect URI/);
    });

    it("a missing or malformed document is refused, naming the document", async () => {
      await expectRefused(`${host.origin}/nothing-here/client.json`, /nothing-here\/client\.json could not be used: it answered HTTP 404/);
      // The operator's log says the same (a document some clients' hosts refuse to cloud addresses shows up here).
      expect(server.logs()).toContain(`"document":"${host.origin}/nothing-here/client.json","reason":"it answered HTTP 404"`);
      const clientId = `${host.origin}/broken/client.json`;
      host.serve((_, response) => response.writeHead(200, { "Content-Type": "application/json" }).end("{ not json"), "/broken/client.json");
      await expectRefused(clientId, /not valid JSON/);
    });

    it("an http document URL is not a metadata document and is refused", async () => {
      const page = await expectRefused(`http://localhost:${new URL(host.origin).port}/http/client.json`, /must be served over https/);
      expect(page.html).not.toContain("Approve");
    });

    it("the token endpoint refuses a document client whose document fails, with invalid_client naming it", async () => {
      const clientId = `${host.origin}/token-404/client.json`;
      const response = await fetch(metadata.token_endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code: "not-a-code",
          redirect_uri: REDIRECT_URI,
          client_id: clientId,
          code_verifier: createPkce().verifier,
        }),
        signal: AbortSignal.timeout(15_000),
      });
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: string; error_description: string };
      expect(body.error).toBe("invalid_client");
      expect(body.error_description).toBe(`The client metadata document ${clientId} could not be used: it answered HTTP 404`);
    });

    describe.each(["staging", "production"])("the %s configuration", (environment) => {
      let deployed: DevServer;
      let deployedMetadata: AuthorizationServerMetadata;
      beforeAll(async () => {
        // The environment's own config, served on loopback: only the origin it answers for is ours
        // (--local-upstream: requests keep their loopback URL instead of the production route's).
        const port = await freePort();
        deployed = await options.start({
          port,
          env: host.trustEnv,
          args: ["--env", environment, "--local-upstream", `127.0.0.1:${port}`],
          vars: { PUBLIC_ORIGINS: `http://127.0.0.1:${port}` },
        });
        deployedMetadata = await discoverAuthorizationServer(deployed.origin);
      });
      afterAll(async () => {
        await deployed?.stop();
      });

      const refusedThere = async (clientId: string, reason: RegExp) => {
        const before = host.requested.length;
        const url = authorizationUrl(deployedMetadata, {
          clientId,
          redirectUri: REDIRECT_URI,
          state: "s",
          codeChallenge: createPkce().challenge,
          resource: deployed.origin,
        });
        const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(15_000) });
        const html = await response.text();
        expect(response.status, html).toBe(400);
        expect(html).toMatch(reason);
        // Refused before any connection: the host saw nothing.
        expect(host.requested.slice(before)).toEqual([]);
      };

      it("refuses a loopback document that local development accepts", async () => {
        const clientId = host.serve(clientDocument(`${host.origin}/deployed/client.json`), "/deployed/client.json");
        await refusedThere(clientId, /localhost is not a public host/);
        await refusedThere(clientId.replace("localhost", "127.0.0.1"), /127\.0\.0\.1 is not a public host/);
      });

      it.each([
        ["https://10.0.0.8/client.json", "10.0.0.8"],
        ["https://169.254.169.254/latest/client.json", "169.254.169.254"],
        ["https://[::1]/client.json", "[::1]"],
        ["https://[fd00::1]/client.json", "[fd00::1]"],
        ["https://printer.local/client.json", "printer.local"],
        ["https://0x7f000001/client.json", "127.0.0.1"],
      ])("refuses the private-address document %s", async (clientId, hostname) => {
        await refusedThere(clientId, new RegExp(`${hostname.replace(/[.[\]]/g, "\\$&")} is not a public host`));
      });
    });
  });
}
