import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: {
        compatibilityDate: "2026-11-09",
        compatibilityFlags: ["nodejs_compat"],
        // The views build-ui wrote, read through the binding as an app reads them (see an app's wrangler.jsonc).
        assets: { directory: "./dist/ui", binding: "UI_ASSETS", assetConfig: { html_handling: "none" } },
      },
    }),
  ],
  test: {
    // Workers-runtime start-up lands on the first test; on a loaded 2-core machine it can take over 5 s.
    testTimeout: 30_000,
    include: ["src/**/*.test.ts"],
  },
});
