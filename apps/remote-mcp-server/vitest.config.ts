import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { skipUnshippedSourcemaps } from "@repo/mcp-app/testing/sourcemaps";
import { defineConfig } from "vitest/config";

// The app's own Worker, with its wrangler.jsonc bindings, inside workerd.
export default defineConfig({
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" } }), skipUnshippedSourcemaps()],
  // The first test pays for workerd start-up; on a loaded 2-core machine that can exceed 5 s.
  test: { include: ["src/**/*.test.ts"], testTimeout: 30_000 },
});
