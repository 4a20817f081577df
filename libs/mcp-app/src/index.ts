export { type Authenticated, type AuthStyle, createMcpApp, type McpAppOptions, type McpAuth } from "./app.js";
export {
  type BearerAppEnv,
  type BearerCredential,
  type BearerOptions,
  bearer,
  MAX_TOKEN_LENGTH,
  protectedResourceMetadata,
  QUERY_TOKEN_PARAM,
  readBearerCredential,
} from "./bearer.js";
export { LIST_CACHE_TTL_MS, type ServerDefinition } from "./definition.js";
export type { LandingOptions } from "./landing.js";
export { type AuthHandlerEnv, type OAuthAppEnv, type OAuthIdentity, type OAuthOptions, oauth } from "./oauth.js";
export { originAllowed, parseOrigins } from "./origin.js";
export { PROTECTED_RESOURCE_METADATA_PATH } from "./paths.js";
export { type AppEnv, servedOrigin } from "./pipeline.js";
export { publicAccess } from "./public.js";
export { buildServer } from "./server.js";
