import { OAuthProvider, type OAuthResourceContext } from "@cloudflare/workers-oauth-provider";
import { mockAuthHandler, type ProviderEnv } from "../src/index.js";

/** The origin the tests address; tokens are bound to it as their audience. */
export const ORIGIN = "https://auth.test";

export const SCOPES = { supported: ["mcp:tools", "offline_access"], required: ["mcp:tools"] };

/**
 * A minimal OAuth app around the mock sign-in: the provider serves discovery, /register and /token,
 * the mock handler serves /authorize, and /api echoes what a valid token carries.
 */
// The provider adds its helpers to env as OAUTH_PROVIDER before calling the handlers.
export default new OAuthProvider<Cloudflare.Env & ProviderEnv>({
  apiRoute: "/api",
  apiHandler: {
    async fetch(_request, _env, ctx) {
      const { props, auth } = ctx as OAuthResourceContext<unknown>;
      return Response.json({ props, clientId: auth.clientId, scope: auth.scope });
    },
  },
  defaultHandler: mockAuthHandler({ defaultScopes: SCOPES.required }),
  authorizeEndpoint: "/authorize",
  tokenEndpoint: "/token",
  clientRegistrationEndpoint: "/register",
  scopesSupported: SCOPES.supported,
  requiredScopes: SCOPES.required,
  resourceMetadata: { resource: ORIGIN, authorization_servers: [ORIGIN] },
});
