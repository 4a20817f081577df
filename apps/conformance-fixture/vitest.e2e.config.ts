export { default } from "@repo/mcp-app/testing/vitest-e2e";
