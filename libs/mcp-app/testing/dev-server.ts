import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
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
  /** wrangler's pid, the leader of the process group its workerd children run in. */
  readonly pid: number;
  /** The --persist-to directory (local KV, Durable Objects, D1). */
  stateDir: string;
  /** Milliseconds from spawning wrangler to its first HTTP response. */
  startMs: number;
  /** Everything wrangler printed so far (stdout and stderr). */
  logs(): string;
  /** Stops wrangler and its workerd children; removes the state directory. */
  stop(): Promise<void>;
  /** Restarts on the same port and state directory (durability tests); returns the new start time in ms. */
  restart(): Promise<number>;
}

export interface DevServerOptions {
  /** The app directory (where wrangler.jsonc is). */
  cwd: string;
  /** Extra `--var NAME:value` bindings (LOG_FORMAT is "json" unless given). */
  vars?: Record<string, string>;
  /** Extra wrangler arguments. */
  args?: string[];
  /** The port to listen on (default: a free one), for a config that must name its own origin. */
  port?: number;
  /** Extra environment for wrangler (e.g. NODE_EXTRA_CA_CERTS for a test host's certificate). */
  env?: Record<string, string>;
  /** Ready timeout in ms. */
  timeoutMs?: number;
  /** A state directory to start from (copied, e.g. a seeded D1); default: empty. */
  seedFrom?: string;
  /** wrangler's --log-level; "error" keeps its per-request log out of a measurement. Default: wrangler's own. */
  logLevel?: "error" | "warn" | "info" | "log" | "debug";
  /**
   * The wrangler executable; default the app's own `node_modules/.bin/wrangler` (npm and pnpm both link
   * it there), else `pnpm exec wrangler` from `cwd`.
   */
  wrangler?: string;
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

/** Process groups still running, killed even when the test process exits without stopping them. */
const live = new Set<number>();
process.once("exit", () => {
  for (const group of live) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {}
  }
});

/**
 * Runs `wrangler dev` for an app on a free port with fresh local state, in its own process group.
 * Ready once the server answers HTTP (polled every 20 ms, so the start time is close to true).
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const port = options.port ?? (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const stateDir = mkdtempSync(join(tmpdir(), "mcp-e2e-"));
  if (options.seedFrom) cpSync(options.seedFrom, stateDir, { recursive: true });
  const timeoutMs = options.timeoutMs ?? 60_000;
  const localWrangler = join(options.cwd, "node_modules", ".bin", "wrangler");
  const [command, ...prefix] = options.wrangler
    ? [options.wrangler]
    : existsSync(localWrangler)
      ? [localWrangler]
      : ["pnpm", "exec", "wrangler"];
  let output = "";
  let child: ChildProcess | undefined;

  const launch = async (): Promise<number> => {
    // Never the server's own port: on a restart that port is free for a moment, and the OS may offer it.
    let inspectorPort = await freePort();
    while (inspectorPort === port) inspectorPort = await freePort();
    // JSON log lines, which tests parse, whatever the app's local default (LOG_FORMAT "pretty").
    const vars = Object.entries({ LOG_FORMAT: "json", ...options.vars }).flatMap(([key, value]) => ["--var", `${key}:${value}`]);
    const args = [
      ...prefix,
      "dev",
      ...["--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspectorPort)],
      ...["--persist-to", stateDir, "--show-interactive-dev-session=false"],
      ...(options.logLevel ? ["--log-level", options.logLevel] : []),
      ...vars,
      ...(options.args ?? []),
    ];
    const spawnedAt = performance.now();
    const started = spawn(command as string, args, {
      cwd: options.cwd,
      env: { ...process.env, ...QUIET_ENV, ...options.env },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = started;
    if (started.pid !== undefined) live.add(started.pid);
    started.stdout?.on("data", (chunk) => (output += chunk));
    started.stderr?.on("data", (chunk) => (output += chunk));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) throw new Error(`wrangler dev exited (${started.exitCode}) in ${options.cwd}:\n${output}`);
      try {
        await fetch(`${origin}/`, { signal: AbortSignal.timeout(2000) });
        return performance.now() - spawnedAt;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await kill();
    throw new Error(`wrangler dev in ${options.cwd} did not answer within ${timeoutMs} ms:\n${output}`);
  };

  const kill = async () => {
    const running = child;
    if (!running || running.exitCode !== null || running.pid === undefined) return;
    const group = running.pid;
    const exited = new Promise<void>((resolve) => running.once("exit", () => resolve()));
    try {
      process.kill(-group, "SIGTERM");
    } catch {
      live.delete(group);
      return;
    }
    const timer = setTimeout(() => {
      try {
        process.kill(-group, "SIGKILL");
      } catch {}
    }, 5000);
    await exited;
    clearTimeout(timer);
    live.delete(group);
  };

  let startMs: number;
  try {
    startMs = await launch();
  } catch (error) {
    await kill();
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  return {
    origin,
    port,
    get pid() {
      return child?.pid as number;
    },
    stateDir,
    startMs,
    logs: () => output,
    async stop() {
      await kill();
      rmSync(stateDir, { recursive: true, force: true });
    },
    async restart() {
      await kill();
      return launch();
    },
  };
}
