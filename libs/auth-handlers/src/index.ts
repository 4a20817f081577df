export {
  ApiKeyEntry,
  apiKeyValidator,
  BearerConfigError,
  backendValidator,
  parseApiKeys,
} from "./bearer.js";
export {
  authorizationErrorResponse,
  consentPage,
  consentResponse,
  deny,
  type ProviderEnv,
  parseAuthorization,
  readConsentForm,
} from "./consent.js";
export { type GitHubAuthOptions, GitHubProps, githubAuthHandler } from "./github.js";
export { type GitHubEnv, githubSignInLabel } from "./github-config.js";
export { errorPage, htmlHeaders, page } from "./html.js";
export { type MockAuthOptions, MockProps, mockAuthHandler, mockUserId } from "./mock.js";
