import { defineConfig } from "vitest/config";

// Node: these tests build and pack the published libs (npm pack --dry-run) and read the results.
export default defineConfig({ test: { include: ["src/**/*.test.ts", "test/**/*.test.ts"], environment: "node", testTimeout: 120_000 } });
