import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { MCP_REMOTE_BIN } from "@repo/mcp-app/testing";

/** The Authorization header that carries `token`. */
export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** The demo credentials: example-user-api's seed (README) and the API keys of .dev.vars.example. */
export const TOKENS = {
  ada: "uapi_demo_ada_vjei4t2Gzepa0rAuEOuL3eRs",
  grace: "uapi_demo_grace_eYWqqBY4vJ390heqIzN5jGOj",
  server: "uapi_demo_mcp_server_7DiRCqwUZhRAb9LKGugTyCl1",
  laptopKey: "mcpk_demo_laptop_pzfv_lhzupmRfsxfgKdda37m",
  ciKey: "mcpk_demo_ci_UOjtBsMkZ7L4Xo838glAtSDN",
} as const;

export const USERS = {
  ada: { id: 1, name: "Ada Lovelace", email: "ada@example.com", role: "admin" },
  grace: { id: 2, name: "Grace Hopper", email: "grace@example.com", role: "member" },
  server: { id: 4, name: "MCP server (service account)", email: "mcp-server@example.com", role: "service" },
} as const;

/** API_KEYS exactly as .dev.vars.example configures it. */
export const API_KEYS = /^API_KEYS=(.*)$/m.exec(readFileSync(new URL("../.dev.vars.example", import.meta.url), "utf8"))?.[1] ?? "";

interface ClaudeDesktopEntry {
  command: string;
  args: string[];
  env?: Record<string, string>;
}

/** The Claude Desktop entries the README shows (its ```json blocks, in order), so the documented configs are the tested ones. */
export function readmeClaudeConfigs(): ClaudeDesktopEntry[] {
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  return [...readme.matchAll(/```json\n([\s\S]*?)```/g)].map((block) => {
    const servers = (JSON.parse(block[1] as string) as { mcpServers: Record<string, ClaudeDesktopEntry> }).mcpServers;
    return Object.values(servers)[0] as ClaudeDesktopEntry;
  });
}

export interface StdioRun {
  client: Client;
  stderr(): string;
  close(): Promise<void>;
}

/**
 * Runs a Claude Desktop config entry for mcp-remote as Claude Desktop does (its args and env, over
 * stdio) with a fresh MCP_REMOTE_CONFIG_DIR, pointed at `origin` instead of the documented one.
 * testing's connectMcpRemote cannot pass an env (AUTH_TOKEN) to mcp-remote, hence this.
 */
export async function runClaudeDesktopEntry(entry: ClaudeDesktopEntry, documentedOrigin: string, origin: string, extraArgs: string[] = []) {
  if (entry.command !== "npx" || entry.args[0] !== "mcp-remote") throw new Error(`not an mcp-remote entry: ${JSON.stringify(entry)}`);
  const configDir = mkdtempSync(join(tmpdir(), "mcp-e2e-mcp-remote-"));
  const args = entry.args.slice(1).map((arg) => arg.replace(documentedOrigin, origin));
  const transport = new StdioClientTransport({
    command: MCP_REMOTE_BIN,
    args: [...args, ...extraArgs],
    // A browser that cannot open: a bearer server must never send mcp-remote into an OAuth flow.
    env: { ...entry.env, MCP_REMOTE_CONFIG_DIR: configDir, BROWSER: "/bin/false" },
    stderr: "pipe",
  });
  let stderr = "";
  (transport.stderr as Readable).on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
  const client = new Client({ name: "e2e-claude-desktop", version: "1.0.0" });
  const close = async () => {
    await client.close().catch(() => {});
    rmSync(configDir, { recursive: true, force: true });
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.connect(transport),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("mcp-remote did not connect within 30 s")), 30_000);
      }),
    ]);
  } catch (error) {
    await close();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- mcp-remote stderr ---\n${stderr}`);
  } finally {
    clearTimeout(timer);
  }
  return { client, stderr: () => stderr, close } satisfies StdioRun;
}

/** Our structured request lines (each JSON, possibly prefixed by wrangler's "[worker-name] "). */
export function requestLines(logs: string): Array<{ method: string; route: string; status: number }> {
  return logs
    .split("\n")
    .map((line) => /^(?:\[[\w-]+\] )?(\{.*\})\s*$/.exec(line)?.[1])
    .flatMap((json) => {
      try {
        const entry = JSON.parse(json ?? "") as { method?: unknown; route?: unknown; status?: unknown };
        return typeof entry.method === "string" && typeof entry.route === "string" && typeof entry.status === "number"
          ? [{ method: entry.method, route: entry.route, status: entry.status }]
          : [];
      } catch {
        return [];
      }
    });
}
