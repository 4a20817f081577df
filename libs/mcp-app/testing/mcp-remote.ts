import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { Browse } from "./oauth-flow.js";

/** mcp-remote as this lib declares it (a devDependency), so every app runs the same pinned version. */
export const MCP_REMOTE_BIN = fileURLToPath(new URL("../node_modules/.bin/mcp-remote", import.meta.url));

export interface McpRemoteOptions {
  /** The remote server URL mcp-remote proxies to (…/sse or …/mcp). */
  url: string;
  /** MCP_REMOTE_CONFIG_DIR: where mcp-remote keeps client registrations and tokens. Reuse it to test a second run. */
  configDir: string;
  /** The OAuth callback port (mcp-remote's positional argument after the URL). */
  callbackPort: number;
  /** Extra arguments, e.g. ["--transport", "sse-only"]. */
  args?: string[];
  /** Plays the user when mcp-remote asks for authorization; without it, a request for authorization fails the run. */
  browse?: Browse;
  /** Bound on connecting, including any sign-in. */
  timeoutMs?: number;
}

export interface McpRemoteRun {
  /** The SDK v1 client talking to mcp-remote over stdio, as Claude Desktop does. */
  client: Client;
  /** Everything mcp-remote wrote to stderr so far. */
  stderr(): string;
  /** Authorization URLs mcp-remote printed for the user. */
  authorizations: URL[];
  /** URLs mcp-remote asked the system browser to open (recorded by a stub instead of a browser). */
  browserOpens(): string[];
  close(): Promise<void>;
}

/** The prompt mcp-remote prints; the URL counts only once its line is complete (stderr arrives in chunks). */
const AUTHORIZE_PROMPT = /Please authorize this client by visiting:\s*\n(\S+)\n/g;

/**
 * A stand-in for the system browser. mcp-remote opens URLs with the `open` package, which on Linux
 * runs its bundled xdg-open; with no desktop session (DISPLAY, XDG_CURRENT_DESKTOP… are not passed
 * to the child) xdg-open runs $BROWSER with the URL. This script only records the URL and exits 0,
 * so mcp-remote believes a browser opened and never tries its fallbacks (x-www-browser, gio…).
 * (Under WSL `open` goes through powershell.exe instead and this stub would not be used.)
 */
function browserStub(dir: string): { command: string; opened(): string[] } {
  const log = join(dir, "opened.txt");
  const command = join(dir, "record-browser");
  writeFileSync(command, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${log}'\n`);
  chmodSync(command, 0o755);
  return { command, opened: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []) };
}

/**
 * Delivers the browser's final redirect to mcp-remote's callback server. mcp-remote registers
 * `http://localhost:PORT/…` but listens on 127.0.0.1 only, so the request goes there directly.
 */
async function deliverCallback(redirect: URL): Promise<void> {
  const target = new URL(redirect);
  target.hostname = "127.0.0.1";
  const response = await fetch(target, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  if (!response.ok) throw new Error(`mcp-remote's callback answered ${response.status}: ${body.slice(0, 300)}`);
}

/** Watches stderr for authorization prompts and plays the browser for each; rejects on the first failure. */
function signInOnPrompt(stderr: Readable, output: { text: string }, authorizations: URL[], browse: Browse | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    let handled = 0;
    stderr.on("data", (chunk: Buffer) => {
      output.text += chunk.toString("utf8");
      const prompts = [...output.text.matchAll(AUTHORIZE_PROMPT)].map((match) => new URL(match[1] as string));
      for (const url of prompts.slice(handled)) {
        handled++;
        authorizations.push(url);
        if (!browse) {
          reject(new Error(`mcp-remote asked for authorization, but this run expected stored tokens: ${url}`));
          return;
        }
        browse(url).then(deliverCallback).catch(reject);
      }
    });
  });
}

/** Spawns mcp-remote against a remote server and connects the SDK v1 client to it over stdio. */
export async function connectMcpRemote(options: McpRemoteOptions): Promise<McpRemoteRun> {
  const stubDir = mkdtempSync(join(tmpdir(), "mcp-e2e-browser-"));
  const stub = browserStub(stubDir);
  const transport = new StdioClientTransport({
    command: MCP_REMOTE_BIN,
    args: [options.url, String(options.callbackPort), ...(options.args ?? [])],
    // Merged over the SDK's minimal default environment (HOME, PATH, …): no desktop session leaks in.
    env: { MCP_REMOTE_CONFIG_DIR: options.configDir, BROWSER: stub.command },
    stderr: "pipe",
  });
  const output = { text: "" };
  const authorizations: URL[] = [];
  const stderr = transport.stderr as Readable;
  const failed = signInOnPrompt(stderr, output, authorizations, options.browse);
  const client = new Client({ name: "e2e-mcp-remote", version: "1.0.0" });
  const timeoutMs = options.timeoutMs ?? 45_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`mcp-remote did not connect within ${timeoutMs} ms`)), timeoutMs);
  });
  let opened: string[] | undefined;
  const close = async () => {
    await client.close().catch(() => {});
    opened = stub.opened();
    rmSync(stubDir, { recursive: true, force: true });
  };
  try {
    await Promise.race([client.connect(transport), failed, timedOut]);
  } catch (error) {
    await close();
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- mcp-remote stderr ---\n${output.text}`);
  } finally {
    clearTimeout(timer);
  }
  return { client, stderr: () => output.text, authorizations, browserOpens: () => opened ?? stub.opened(), close };
}
