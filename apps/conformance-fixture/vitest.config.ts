import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { skipUnshippedSourcemaps } from "@repo/mcp-app/testing/sourcemaps";
import { defineConfig } from "vitest/config";

// The fixture's definitions and its composed Worker, inside workerd.
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" } }), skipUnshippedSourcemaps()],
  test: {
    // Workers-runtime start-up lands on the first test; on a loaded 2-core machine it can take over 5 s.
    testTimeout: 30_000,
    include: ["src/**/*.test.ts"],
  },
});
