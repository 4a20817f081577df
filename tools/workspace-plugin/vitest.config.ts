import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    testTimeout: 60_000,
    hookTimeout: 240_000,
    // The generator test starts wrangler and Chromium; the others are quick.
    fileParallelism: false,
    maxConcurrency: 2,
  },
});
