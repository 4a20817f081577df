import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, spawnGroup } from "@repo/mcp-app/testing";

/** The Inspector's own launcher (`npx @modelcontextprotocol/inspector` runs this file). */
const LAUNCHER = createRequire(import.meta.url).resolve("@modelcontextprotocol/inspector/clients/launcher/build/index.js");

export interface Inspector {
  /** The web UI's address with its API token, as the Inspector prints it. */
  url: string;
  /** Everything the Inspector printed so far. */
  logs(): string;
  /** Stops the Inspector's process group and removes its catalog and storage. */
  stop(): Promise<void>;
}

/**
 * MCP Inspector's web UI on free loopback ports, with an empty server catalog, secrets kept in
 * memory only, and a fresh home directory: each start signs in from scratch and leaves nothing behind.
 */
export async function startInspector(timeoutMs = 30_000): Promise<Inspector> {
  const home = mkdtempSync(join(tmpdir(), "mcp-inspector-"));
  const catalog = join(home, "mcp.json");
  // Without a catalog of its own the Inspector seeds three example servers (two of them `npx` installs).
  writeFileSync(catalog, `${JSON.stringify({ mcpServers: {} })}\n`);
  const token = randomBytes(16).toString("hex");
  const [webPort, sandboxPort, appOriginPort] = [await freePort(), await freePort(), await freePort()];
  const inspector = spawnGroup(process.execPath, [LAUNCHER, "--web", "--catalog", catalog], {
    cwd: home,
    env: {
      ...process.env,
      HOME: home,
      HOST: "127.0.0.1",
      CLIENT_PORT: String(webPort),
      MCP_SANDBOX_PORT: String(sandboxPort),
      MCP_APP_ORIGIN_PORT: String(appOriginPort),
      MCP_STORAGE_DIR: join(home, "storage"),
      MCP_INSPECTOR_SECRET_STORE: "memory",
      MCP_INSPECTOR_API_TOKEN: token,
      MCP_AUTO_OPEN_ENABLED: "false",
      NO_COLOR: "1",
    },
  });
  const stop = async () => {
    await inspector.stop();
    rmSync(home, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  const url = `http://127.0.0.1:${webPort}/?MCP_INSPECTOR_API_TOKEN=${token}`;
  while (Date.now() < deadline) {
    if (inspector.child.exitCode !== null) {
      await stop();
      throw new Error(`MCP Inspector exited (${inspector.child.exitCode}):\n${inspector.output()}`);
    }
    if (inspector.output().includes("MCP Inspector Web is up and running")) return { url, logs: inspector.output, stop };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await stop();
  throw new Error(`MCP Inspector did not start within ${timeoutMs} ms:\n${inspector.output()}`);
}
