import { mcpContract, startDevServer } from "@remote-mcp-workers/mcp-app/testing";

// The contract needs no user backend: tokens are checked against API_KEYS (the demo "ci" key of .dev.vars.example).
const API_KEYS = [{ label: "ci", sha256: "72b691ea62e9e718c9bec4c8bba92a294136efce98ac25f48671ff699dd50e1a", scopes: ["mcp:tools"] }];

mcpContract({
  name: "mcp-server-bearer-auth",
  start: () =>
    startDevServer({
      cwd: new URL("..", import.meta.url).pathname,
      vars: { BEARER_VALIDATOR: "api-keys", API_KEYS: JSON.stringify(API_KEYS) },
    }),
  auth: { headers: { Authorization: "Bearer mcpk_demo_ci_UOjtBsMkZ7L4Xo838glAtSDN" } },
  expectedTools: ["add", "calculate", "getToken", "get_user_data", "count_slowly"],
});
