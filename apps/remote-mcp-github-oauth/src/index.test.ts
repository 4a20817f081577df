import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

// The app as wrangler.jsonc configures it, in workerd, without GitHub secrets (no .dev.vars here):
// what a new user sees before configuring GitHub. Sign-in itself, and the OAuth challenge every app
// gives, are the e2e suites' (a fake GitHub, the shared contract).

const ORIGIN = "http://localhost:8791";
const call = (path: string, init?: RequestInit) => exports.default.fetch(new URL(path, ORIGIN), { redirect: "manual", ...init });

describe("remote-mcp-github-oauth wiring (in workerd)", () => {
  it("says on its landing page that GitHub sign-in is not configured, and what is missing", async () => {
    const html = await (await call("/")).text();
    expect(html).toContain("OAuth 2.1 with GitHub sign-in: NOT CONFIGURED");
    expect(html).toContain("GITHUB_CLIENT_ID");
    for (const tool of ["add", "get_user_data", "whoami_admin", "count_slowly"]) expect(html).toContain(`<code>${tool}</code>`);
  });

  it("advertises its authorization server with PKCE S256 for the origin it is reached at", async () => {
    const server = (await (await call("/.well-known/oauth-authorization-server")).json()) as Record<string, unknown>;
    expect(server).toMatchObject({
      issuer: ORIGIN,
      authorization_endpoint: `${ORIGIN}/authorize`,
      code_challenge_methods_supported: ["S256"],
    });
  });
});
