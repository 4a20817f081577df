export {
  type AppEnv,
  type AuthHandlerEnv,
  createOAuthMcpApp,
  createPublicMcpApp,
  type OAuthAppEnv,
  type OAuthAppOptions,
  type OAuthIdentity,
  type PublicAppOptions,
  servedOrigin,
} from "./app.js";
export {
  type BearerAppEnv,
  type BearerAppOptions,
  type BearerCredential,
  createBearerMcpApp,
  MAX_TOKEN_LENGTH,
  PROTECTED_RESOURCE_METADATA_PATH,
  protectedResourceMetadata,
  QUERY_TOKEN_PARAM,
  readBearerCredential,
} from "./bearer.js";
export type { LandingOptions } from "./landing.js";
export { originAllowed, parseOrigins } from "./origin.js";
export { buildServer, LIST_CACHE_TTL_MS, type ServerDefinition } from "./server.js";
