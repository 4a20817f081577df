import { spawn } from "node:child_process";

export interface Run {
  status: number | null;
  /** stdout and stderr, interleaved. */
  output: string;
}

/** Variables a parent nx, pnpm or vitest sets that would point a child at the wrong workspace or mode. */
const INHERITED = /^(NX_|VITEST|npm_|PNPM_|INIT_CWD$|NODE_OPTIONS$|TEST$)/;

/** The environment for commands run in another workspace: the parent's PATH and home, none of its tool state. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !INHERITED.test(key)));
  return {
    ...env,
    NX_DAEMON: "false",
    NX_NO_CLOUD: "true",
    NX_TUI: "false",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_HIDE_BANNER: "true",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    ...extra,
  };
}

/** Runs a command in its own process group; on timeout the whole group is killed. */
export function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000, env = cleanEnv()): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output });
    });
  });
}

/** A failure message that shows the end of what the command printed. */
export const tail = (result: Run, chars = 6000) => `exit ${result.status}:\n${result.output.slice(-chars)}`;
