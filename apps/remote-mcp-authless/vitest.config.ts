import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { skipUnshippedSourcemaps } from "@repo/mcp-app/testing/sourcemaps";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The app as wrangler.jsonc configures it, reached through `exports.default.fetch`.
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" } }), skipUnshippedSourcemaps()],
  test: {
    // Workers-runtime start-up lands on the first test; on a loaded 2-core machine it can take over 5 s.
    testTimeout: 30_000,
    include: ["src/**/*.test.ts"],
  },
});
