import { defineConfig, type ViteUserConfig } from "vitest/config";

type TestOptions = NonNullable<ViteUserConfig["test"]>;

/**
 * The vitest config of every e2e suite (`vitest.e2e.config.ts` of each app and of inspector-e2e):
 * Node, one file at a time (each starts `wrangler dev` servers), timeouts that allow a server start.
 */
export function e2eConfig(extra: TestOptions = {}) {
  return defineConfig({
    test: {
      include: ["test/**/*.e2e.ts"],
      environment: "node",
      testTimeout: 60_000,
      hookTimeout: 90_000,
      fileParallelism: false,
      ...extra,
    },
  });
}

export default e2eConfig();
