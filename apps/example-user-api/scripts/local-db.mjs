#!/usr/bin/env node
// Applies the D1 migrations and the demo seed to a local database, non-interactively, so that
// `wrangler dev` (alone, or in remote-mcp-bearer-auth's multi-config dev) finds a ready database.
//
//   node scripts/local-db.mjs [persist-dir]
//
// persist-dir is wrangler's --persist-to (default: this app's .wrangler/state). Both steps are
// idempotent: applied migrations are skipped and the seed only inserts missing rows.
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const app = dirname(dirname(fileURLToPath(import.meta.url)));
const persistTo = resolve(process.argv[2] ?? join(app, ".wrangler", "state"));
const wrangler = join(app, "node_modules", ".bin", "wrangler");
const env = {
  ...process.env,
  CI: "true",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
};

for (const args of [
  ["d1", "migrations", "apply", "DB", "--local", "--persist-to", persistTo],
  ["d1", "execute", "DB", "--local", "--persist-to", persistTo, "--file", "seed.sql"],
]) {
  const result = spawnSync(wrangler, args, { cwd: app, env, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (result.status !== 0) {
    process.stderr.write(
      `local-db: wrangler ${args.slice(0, 3).join(" ")} failed (exit ${result.status})\n${result.stdout}${result.stderr}`,
    );
    process.exit(result.status ?? 1);
  }
}
console.log(`local-db: migrations and demo seed applied (${persistTo})`);
if (process.argv[2]) {
  // Run for remote-mcp-bearer-auth's multi-config dev session, whose binding table cannot say otherwise.
  console.log(
    "local-db: USER_API shows as [not connected] in wrangler's table below: example-user-api runs in the same session and answers it.",
  );
}
