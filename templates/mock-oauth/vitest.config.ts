import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { skipUnshippedSourcemaps } from "@remote-mcp-workers/mcp-app/testing/sourcemaps";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The app as wrangler.jsonc configures it, reached through `exports.default.fetch`.
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" } }), skipUnshippedSourcemaps()],
  // The first request starts the Worker in workerd: give it more than vitest's default 5 s.
  test: { include: ["src/**/*.test.ts"], testTimeout: 30_000 },
});
