export { default } from "@remote-mcp-workers/mcp-app/testing/vitest-e2e";
