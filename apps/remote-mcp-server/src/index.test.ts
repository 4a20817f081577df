import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const ORIGIN = "http://localhost:8787";
const call = (path: string, init?: RequestInit) => exports.default.fetch(new URL(path, ORIGIN), { redirect: "manual", ...init });

describe("remote-mcp-server wiring (in workerd)", () => {
  it("protects /mcp and /sse with an OAuth challenge that points at its metadata", async () => {
    for (const path of ["/mcp", "/sse"]) {
      const response = await call(path, { method: path === "/mcp" ? "POST" : "GET" });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe(
        `Bearer realm="OAuth", resource_metadata="${ORIGIN}/.well-known/oauth-protected-resource", scope="mcp:tools"`,
      );
    }
  });

  it("publishes protected resource and authorization server metadata for the origin it is reached at", async () => {
    const resource = (await (await call("/.well-known/oauth-protected-resource")).json()) as Record<string, unknown>;
    expect(resource).toMatchObject({ resource: ORIGIN, authorization_servers: [ORIGIN], scopes_supported: ["mcp:tools"] });
    const server = (await (await call("/.well-known/oauth-authorization-server")).json()) as Record<string, unknown>;
    expect(server).toMatchObject({
      issuer: ORIGIN,
      authorization_endpoint: `${ORIGIN}/authorize`,
      token_endpoint: `${ORIGIN}/token`,
      registration_endpoint: `${ORIGIN}/register`,
      code_challenge_methods_supported: ["S256"],
    });
  });

  it("serves the landing page with its tools, and refuses hosts it does not serve", async () => {
    const page = await call("/");
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<code>add</code>");
    expect(html).toContain("<code>calculate</code>");
    expect((await exports.default.fetch("https://evil.example/")).status).toBe(421);
  });

  it("signs in at each loopback origin with that origin's own authorization server", async () => {
    for (const origin of ["http://localhost:8787", "http://127.0.0.1:8787"]) {
      const registered = await exports.default.fetch(`${origin}/register`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ client_name: "two origins", redirect_uris: ["http://127.0.0.1:9/cb"], token_endpoint_auth_method: "none" }),
      });
      const { client_id } = (await registered.json()) as { client_id: string };
      const query = new URLSearchParams({
        response_type: "code",
        client_id,
        redirect_uri: "http://127.0.0.1:9/cb",
        code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
        code_challenge_method: "S256",
        resource: origin,
        state: "s",
      });
      const page = await exports.default.fetch(`${origin}/authorize?${query}`, { redirect: "manual" });
      expect(page.status, `${origin}: ${page.headers.get("location")}`).toBe(200);
    }
  });
});
