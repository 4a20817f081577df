import { readFileSync } from "node:fs";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [
    cloudflareTest(async () => ({
      // The real Worker from wrangler.jsonc (D1 binding included), reached through `exports.default.fetch`.
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        // test/setup.ts applies these to the test database, as `scripts/local-db.mjs` does for wrangler dev.
        bindings: { TEST_MIGRATIONS: await readD1Migrations("./migrations"), TEST_SEED: readFileSync("./seed.sql", "utf8") },
      },
    })),
  ],
  test: {
    // Workers-runtime start-up lands on the first test; on a loaded 2-core machine it can take over 5 s.
    testTimeout: 30_000,
    include: ["src/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
  },
});
