import { execFile } from "node:child_process";
import { cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type DevServer, QUIET_ENV, startDevServer } from "@repo/mcp-app/testing";

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

/**
 * A copy of a seeded state with `sql` run on the user backend's database, as its README adds a
 * token (`wrangler d1 execute --local`): for a test that needs users the demo seed does not have.
 */
export async function seededStateWith(seeded: string, sql: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-e2e-d1-"));
  cpSync(seeded, dir, { recursive: true });
  const wrangler = join(USER_API, "node_modules", ".bin", "wrangler");
  await promisify(execFile)(wrangler, ["d1", "execute", "DB", "--local", "--persist-to", dir, "--command", sql], {
    cwd: USER_API,
    env: { ...process.env, ...QUIET_ENV, CI: "true" },
    timeout: 60_000,
  });
  return dir;
}

export type BothWorkers = DevServer;

/**
 * `wrangler dev` with both configs, as `npx nx dev` runs it (this app on a free port, example-user-api
 * behind the USER_API service binding), starting from a copy of a seeded state.
 */
export function startWithUserApi(seeded: string, vars: Record<string, string>): Promise<BothWorkers> {
  return startDevServer({ cwd: APP, vars, seedFrom: seeded, args: ["-c", "wrangler.jsonc", "-c", join(USER_API, "wrangler.jsonc")] });
}
