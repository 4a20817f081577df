import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { freePort } from "@repo/mcp-app/testing";

const APP = fileURLToPath(new URL("..", import.meta.url));
const USER_API = fileURLToPath(new URL("../../example-user-api/", import.meta.url));

/**
 * A D1 state directory with example-user-api's migrations and demo seed, prepared by the same
 * script `npx nx dev remote-mcp-bearer-auth` runs. Prepare once; each server gets a copy.
 */
export async function seededState(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-e2e-d1-"));
  await promisify(execFile)("node", [join(USER_API, "scripts", "local-db.mjs"), dir], { cwd: USER_API, timeout: 60_000 });
  return dir;
}

export interface BothWorkers {
  origin: string;
  logs(): string;
  stop(): Promise<void>;
}

/**
 * `wrangler dev` with both configs, as `npx nx dev` runs it (this app on a free port, example-user-api
 * behind the USER_API service binding) on a copy of a seeded state. Exists because startDevServer
 * always starts from an empty state directory it does not expose, which cannot hold a seeded D1.
 */
export async function startWithUserApi(seeded: string, vars: Record<string, string>): Promise<BothWorkers> {
  const [port, inspectorPort] = [await freePort(), await freePort()];
  const state = mkdtempSync(join(tmpdir(), "mcp-e2e-"));
  cpSync(seeded, state, { recursive: true });
  const args = ["exec", "wrangler", "dev", "-c", "wrangler.jsonc", "-c", join(USER_API, "wrangler.jsonc")];
  args.push("--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspectorPort));
  args.push("--persist-to", state, "--show-interactive-dev-session=false");
  for (const [key, value] of Object.entries(vars)) args.push("--var", `${key}:${value}`);
  const child: ChildProcess = spawn("pnpm", args, {
    cwd: APP,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      ...process.env,
      WRANGLER_SEND_METRICS: "false",
      WRANGLER_SEND_ERROR_REPORTS: "false",
      CLOUDFLARE_CF_FETCH_ENABLED: "false",
      WRANGLER_HIDE_BANNER: "true",
      NO_COLOR: "1",
      // Nx sets FORCE_COLOR for its tasks, which would colour the [worker] prefix of every log line.
      FORCE_COLOR: "0",
    },
  });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(-child.pid, "SIGTERM");
      const timer = setTimeout(() => child.pid && process.kill(-child.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(state, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) break;
    if (!output.includes("Ready on")) continue;
    const ready = await fetch(`${origin}/`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (ready?.ok) return { origin, logs: () => output, stop };
  }
  await stop();
  throw new Error(`wrangler dev (both workers) did not become ready:\n${output}`);
}
