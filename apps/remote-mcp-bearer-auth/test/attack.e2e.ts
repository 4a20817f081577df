import { createHash, randomBytes } from "node:crypto";
import { attackSuite, startDevServer } from "@repo/mcp-app/testing";

// API keys made for this run only: one unscoped (may call every tool), one scoped without the tools
// scope, one the rate-limit case may exhaust, and one the SSE session-cap case fills. Only their SHA-256 reaches the server.
const key = (label: string) => `mcpk_attack_${label}_${randomBytes(18).toString("base64url")}`;
const keys = { full: key("full"), unscoped: key("unscoped"), limited: key("limited"), sessions: key("sessions") };
const sha256 = (value: string) => createHash("sha256").update(value).digest("hex");
const API_KEYS = JSON.stringify([
  { label: "attack-full", sha256: sha256(keys.full) },
  { label: "attack-unscoped", sha256: sha256(keys.unscoped), scopes: ["reports:read"] },
  { label: "attack-rate-limit", sha256: sha256(keys.limited) },
  { label: "attack-sse-sessions", sha256: sha256(keys.sessions) },
]);

attackSuite({
  name: "remote-mcp-bearer-auth",
  // The api-keys validator: no user backend is needed (the USER_API binding stays unused).
  start: (vars) =>
    startDevServer({ cwd: new URL("..", import.meta.url).pathname, vars: { ...vars, BEARER_VALIDATOR: "api-keys", API_KEYS } }),
  auth: { style: "bearer", token: keys.full, unscopedToken: keys.unscoped, rateLimitToken: keys.limited, sessionCapToken: keys.sessions },
  wranglerConfig: new URL("../wrangler.jsonc", import.meta.url),
});
