export { connectModernClient, connectSdkClient, type TransportKind } from "./clients.js";
export { type DevServer, type DevServerOptions, freePort, startDevServer } from "./dev-server.js";
export { cookieHeader, type MockSignIn, mockSignIn, TestOAuthProvider } from "./oauth.js";
