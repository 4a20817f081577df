export { type AttackAuth, type AttackOptions, type AttackServer, attackSuite } from "./attack/index.js";
export { CHROMIUM_PATH, launchChromium, type TestBrowser } from "./browser.js";
export { type CallbackServer, startCallbackServer } from "./callback-server.js";
export { type CimdSuiteOptions, cimdSuite, clientDocument } from "./cimd.js";
export { connectModernClient, connectSdkClient, type TransportKind } from "./clients.js";
export { type ContractAuth, type ContractServer, type McpContractOptions, mcpContract } from "./contract.js";
export { type DevServer, type DevServerOptions, freePort, QUIET_ENV, startDevServer } from "./dev-server.js";
export { type DocumentHost, type Served, startDocumentHost } from "./document-host.js";
export { printServerLogOnFailure } from "./failures.js";
export { type AppWithFakeGitHub, type FakeGitHub, type RecordedRequest, startFakeGitHub, startWithFakeGitHub } from "./fake-github.js";
export { HttpBrowser, type SignInChoice, type SignInTrace } from "./github-browser.js";
export {
  challengeParam,
  type HeaderMap,
  initializeRequest,
  type JsonRpcErrorBody,
  jsonRpcErrorOf,
  postJsonRpc,
  probeSse,
} from "./http.js";
export {
  copySnippet,
  documentedPort,
  type LandingPageContent,
  type LandingPageOptions,
  type LandingSnippet,
  landingPageSuite,
  openLandingPage,
  readLandingPage,
} from "./landing.js";
export { type LoggedRequest, type LoggedToolCall, loggedRequests, loggedToolCalls } from "./logs.js";
export { connectMcpRemote, MCP_REMOTE_BIN, type McpRemoteOptions, type McpRemoteRun } from "./mcp-remote.js";
export { cookieHeader, type MockSignIn, mockSignIn, TestOAuthProvider } from "./oauth.js";
export {
  type AuthorizationParams,
  type AuthorizationServerMetadata,
  authorizationUrl,
  authorizeClient,
  type Browse,
  type ClientRegistration,
  type CodeExchange,
  createPkce,
  discoverAuthorizationServer,
  exchangeCode,
  type Pkce,
  type ProtectedResourceMetadata,
  protectedResourceMetadata,
  registerClient,
  type TokenResponse,
} from "./oauth-flow.js";
export { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from "./otlp-receiver.js";
export { type GroupProcess, spawnGroup } from "./process-group.js";
export { type TasksSuiteOptions, tasksSuite } from "./tasks.js";
