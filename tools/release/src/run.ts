import { spawnGroup } from "@repo/mcp-app/testing";

export interface Run {
  status: number | null;
  output: string;
  ms: number;
}

/**
 * Runs a command in its own process group with a time bound: past `timeoutMs` the whole group is
 * stopped (npm test starts wrangler and workerd below it) and the run fails with what it printed.
 */
export async function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Run> {
  const started = performance.now();
  const running = spawnGroup(command, args, options);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void running.stop();
  }, options.timeoutMs);
  const status = await new Promise<number | null>((resolve, reject) => {
    running.child.on("error", reject);
    running.child.on("close", resolve);
  }).finally(() => clearTimeout(timer));
  await running.stop();
  const output = running.output() + (timedOut ? `\n[stopped after ${options.timeoutMs} ms]` : "");
  return { status, output, ms: performance.now() - started };
}

/** The last lines of a run's output, for an assertion message. */
export const tail = (result: Run, lines = 80) => result.output.split("\n").slice(-lines).join("\n");
