import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The app as wrangler.jsonc configures it, reached through `exports.default.fetch`.
  plugins: [cloudflareTest({ wrangler: { configPath: "./wrangler.jsonc" } })],
  test: { include: ["src/**/*.test.ts"] },
});
