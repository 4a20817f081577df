import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free TCP port on loopback, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface DevServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  port: number;
  /** Everything wrangler printed so far (stdout and stderr). */
  logs(): string;
  /** Stops wrangler and its workerd children; removes temporary state unless kept. */
  stop(): Promise<void>;
  /** Restarts on the same port and state directory (durability tests). */
  restart(): Promise<void>;
}

export interface DevServerOptions {
  /** The app directory (where wrangler.jsonc is). */
  cwd: string;
  /** Extra `--var NAME:value` bindings. */
  vars?: Record<string, string>;
  /** Extra wrangler arguments. */
  args?: string[];
  /** Ready timeout in ms. */
  timeoutMs?: number;
  /** A state directory to start from (copied, e.g. a seeded D1); default: empty. */
  seedFrom?: string;
}

/** Environment for a quiet, offline wrangler whose output tests can parse (no banner, no colour). */
export const QUIET_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};

/** Runs `wrangler dev` for an app on a free port with fresh local state, in its own process group. */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = await freePort();
  const state = mkdtempSync(join(tmpdir(), "mcp-e2e-"));
  if (options.seedFrom) cpSync(options.seedFrom, state, { recursive: true });
  let output = "";
  let child: ChildProcess | undefined;

  const launch = async () => {
    const inspectorPort = await freePort();
    const vars = Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`]);
    child = spawn(
      "pnpm",
      [
        "exec",
        "wrangler",
        "dev",
        "--port",
        String(port),
        "--ip",
        "127.0.0.1",
        "--inspector-port",
        String(inspectorPort),
        "--persist-to",
        state,
        "--show-interactive-dev-session=false",
        ...vars,
        ...(options.args ?? []),
      ],
      { cwd: options.cwd, env: { ...process.env, ...QUIET_ENV }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    const started = child;
    started.stdout?.on("data", (chunk) => (output += chunk));
    started.stderr?.on("data", (chunk) => (output += chunk));
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (started.exitCode !== null) throw new Error(`wrangler dev exited (${started.exitCode}):\n${output}`);
      if (output.includes("Ready on")) {
        try {
          await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) });
          return;
        } catch {
          // not listening yet
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await kill();
    throw new Error(`wrangler dev did not become ready within ${options.timeoutMs ?? 60_000} ms:\n${output}`);
  };

  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.pid === undefined) return;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    try {
      process.kill(-running.pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-(running.pid as number), "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
  };

  await launch();
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    logs: () => output,
    async stop() {
      await kill();
      rmSync(state, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      await launch();
    },
  };
}
