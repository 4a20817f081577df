import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "@repo/mcp-app/testing";

/**
 * `wrangler dev` for measuring. Like @repo/mcp-app/testing's startDevServer, but: wrangler's own
 * request log is off (`--log-level error`, so there is no "Ready on" line and readiness is found by
 * polling), wrangler is run directly (not through `pnpm exec`, whose dependency check would count
 * as start-up time), and the process group and state directory are exposed for the memory and
 * disk figures.
 */

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(dirname(BENCH_DIR));
const WRANGLER = join(BENCH_DIR, "node_modules", ".bin", "wrangler");

export const WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  NO_COLOR: "1",
  FORCE_COLOR: "0",
};

/** Process groups of the servers still running, stopped even when the harness dies. */
const live = new Set<number>();
const stopAll = () => {
  for (const group of live) {
    try {
      process.kill(-group, "SIGKILL");
    } catch {}
  }
};
process.once("exit", stopAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    stopAll();
    process.exit(130);
  });
}

export interface BenchServer {
  origin: string;
  /** wrangler's pid, the leader of the process group its workerd children run in. */
  pid: number;
  /** The --persist-to directory. */
  stateDir: string;
  /** wrangler's devtools inspector (Chrome DevTools Protocol) for the Worker's isolate. */
  inspectorPort: number;
  /** Milliseconds from spawning wrangler to the first HTTP response. */
  startMs: number;
  output(): string;
  stop(): Promise<void>;
  /** Stops and starts again on the same port and state; returns the new start time. */
  restart(): Promise<number>;
}

export interface BenchServerOptions {
  /** Directory of the wrangler config (cwd of wrangler). */
  cwd: string;
  vars?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
  /** wrangler's log level; "error" (the default) keeps its per-request log out of the measurement. */
  logLevel?: "error" | "info" | "log" | "debug";
}

export async function startBenchServer(options: BenchServerOptions): Promise<BenchServer> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "mcp-bench-"));
  const origin = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = "";
  const inspectorPort = await freePort();

  const launch = async (): Promise<number> => {
    const vars = Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`]);
    const started = performance.now();
    const running = spawn(
      WRANGLER,
      [
        "dev",
        "--port",
        String(port),
        "--ip",
        "127.0.0.1",
        "--inspector-port",
        String(inspectorPort),
        "--persist-to",
        stateDir,
        "--show-interactive-dev-session=false",
        "--log-level",
        options.logLevel ?? "error",
        ...vars,
        ...(options.args ?? []),
      ],
      { cwd: options.cwd, env: { ...process.env, ...WRANGLER_ENV }, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    child = running;
    if (running.pid !== undefined) live.add(running.pid);
    running.stdout?.on("data", (chunk) => (output += chunk));
    running.stderr?.on("data", (chunk) => (output += chunk));
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      if (running.exitCode !== null) throw new Error(`wrangler dev exited (${running.exitCode}) in ${options.cwd}:\n${output}`);
      try {
        await fetch(`${origin}/`, { signal: AbortSignal.timeout(2000) });
        return performance.now() - started;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await kill();
    throw new Error(`wrangler dev in ${options.cwd} did not answer within ${options.timeoutMs ?? 60_000} ms:\n${output}`);
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
    live.delete(running.pid);
  };

  const startMs = await launch();
  return {
    origin,
    get pid() {
      return child?.pid as number;
    },
    stateDir,
    inspectorPort,
    startMs,
    output: () => output,
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

/** `wrangler deploy --dry-run` into a fresh directory; returns that directory (the caller removes it). */
export function dryRunBuild(cwd: string, minify: boolean): string {
  const outdir = mkdtempSync(join(tmpdir(), "mcp-bench-build-"));
  const result = spawnSync(WRANGLER, ["deploy", "--dry-run", "--outdir", outdir, ...(minify ? ["--minify"] : [])], {
    cwd,
    env: { ...process.env, ...WRANGLER_ENV, WRANGLER_LOG: "error" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    rmSync(outdir, { recursive: true, force: true });
    throw new Error(`wrangler deploy --dry-run failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  }
  return outdir;
}
