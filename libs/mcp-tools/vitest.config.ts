import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: {
        compatibilityDate: "2026-11-09",
        compatibilityFlags: ["nodejs_compat"],
        // An imported view is a Text module, as wrangler's default rule makes it in an app.
        modulesRules: [{ type: "Text", include: ["**/*.html"] }],
      },
    }),
  ],
  test: {
    // Workers-runtime start-up lands on the first test; on a loaded 2-core machine it can take over 5 s.
    testTimeout: 30_000,
    include: ["src/**/*.test.ts"],
  },
});
