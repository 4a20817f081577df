import {
  connectModernClient,
  connectSdkClient,
  type DevServer,
  mockSignIn,
  startDevServer,
  TestOAuthProvider,
} from "@repo/mcp-app/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

let server: DevServer;
beforeAll(async () => {
  server = await startDevServer({ cwd: new URL("..", import.meta.url).pathname });
});
afterAll(async () => {
  console.log(server.logs().slice(-3000));
  await server?.stop();
});

it.each(["streamable-http", "sse"] as const)("sdk v1 over %s", async (kind) => {
  const auth = new TestOAuthProvider((url) => mockSignIn(url));
  const client = await connectSdkClient(`${server.origin}/${kind === "sse" ? "sse" : "mcp"}`, kind, auth);
  const result = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
  expect(result.structuredContent).toEqual({ result: 5 });
  await client.close();
});

it("sdk v2 pinned 2026-07-28", async () => {
  const auth = new TestOAuthProvider((url) => mockSignIn(url));
  const client = await connectModernClient(`${server.origin}/mcp`, auth);
  const result = await client.callTool({ name: "add", arguments: { a: 2, b: 3 } });
  expect(result.structuredContent).toEqual({ result: 5 });
  await client.close();
});
