import { defineConfig } from "vitest/config";

// Only the harness's pure helpers are tested here; the benchmark itself runs with `npm run bench`.
export default defineConfig({ test: { include: ["src/**/*.test.ts"], environment: "node" } });
