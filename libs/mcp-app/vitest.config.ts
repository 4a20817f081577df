import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { skipUnshippedSourcemaps } from "./testing/sourcemaps.js";

export default defineConfig({
  plugins: [
    cloudflareTest({
      // A public app built by createMcpApp with publicAccess, reached through `exports.default.fetch`.
      main: "./test/fixture-worker.ts",
      miniflare: {
        compatibilityDate: "2026-11-09",
        compatibilityFlags: ["nodejs_compat", "enable_request_signal"],
        durableObjects: { MCP_SSE_SESSION: { className: "McpSseSession", useSQLite: true } },
        bindings: { ALLOWED_ORIGINS: "https://inspector.example" },
        // The OAuth provider's storage, for refresh-reuse.test.ts.
        kvNamespaces: ["OAUTH_KV"],
        // The calculator's view (@repo/mcp-tools/views/calculator) is a Text module, as wrangler's default rule makes it in an app.
        modulesRules: [{ type: "Text", include: ["**/*.html"] }],
      },
    }),
    skipUnshippedSourcemaps(),
  ],
  test: {
    // Workers-runtime start-up lands on the first test; on a loaded 2-core machine it can take over 5 s.
    testTimeout: 30_000,
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
  },
});
