import { type ChildProcess, spawn } from "node:child_process";

/** A command running as the leader of its own process group, with everything it printed. */
export interface GroupProcess {
  readonly child: ChildProcess;
  /** Everything the command printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM to the whole group, SIGKILL after 5 s; resolves once the leader has exited. Safe to call twice. */
  stop(): Promise<void>;
}

const kill = (group: number | undefined, signal: NodeJS.Signals) => {
  if (group === undefined) return;
  try {
    process.kill(-group, signal);
  } catch {}
};

/**
 * Spawns a command in its own process group (detached, stdin closed), so that stopping it also stops
 * what it started (wrangler's workerd, npm's scripts). The group is killed when this process exits,
 * whether or not the caller stopped it.
 */
export function spawnGroup(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): GroupProcess {
  const child = spawn(command, args, { ...options, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const onExit = () => kill(child.pid, "SIGKILL");
  process.once("exit", onExit);
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        kill(child.pid, "SIGTERM");
        const timer = setTimeout(() => kill(child.pid, "SIGKILL"), 5000);
        await exited;
        clearTimeout(timer);
      }
      // Whatever the leader left running in its group goes too.
      kill(child.pid, "SIGKILL");
      process.off("exit", onExit);
    },
  };
}
