import { e2eConfig } from "@repo/mcp-app/testing/vitest-e2e";

// Seeds the user backend's D1 once; every server runs on a copy.
export default e2eConfig({ globalSetup: ["test/global-setup.ts"] });
