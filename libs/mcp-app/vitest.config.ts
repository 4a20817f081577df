import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      // A public app built by createPublicMcpApp, reached through `exports.default.fetch`.
      main: "./test/fixture-worker.ts",
      miniflare: {
        compatibilityDate: "2026-11-09",
        compatibilityFlags: ["nodejs_compat"],
        durableObjects: { MCP_SSE_SESSION: { className: "McpSseSession", useSQLite: true } },
        bindings: { ALLOWED_ORIGINS: "https://inspector.example" },
      },
    }),
  ],
  test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
});
