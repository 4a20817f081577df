import { e2eConfig } from "@repo/mcp-app/testing/vitest-e2e";

// Each template installs from a loopback registry and runs its own tests: minutes, not seconds.
export default e2eConfig({ testTimeout: 900_000, hookTimeout: 300_000 });
