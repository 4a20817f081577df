#!/usr/bin/env node
// Deploys one app to one environment from CI:  node tools/deploy.mjs <app> <staging|production>
//
// Secrets: CI passes the repository's secrets as JSON in APP_SECRETS; only those named
// `<APP>__<NAME>` (app name upper-cased, dashes as underscores) are uploaded, as NAME, to
// this app's Worker through `wrangler secret bulk` on stdin, so no value reaches argv or logs.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const [app, environment] = process.argv.slice(2);
if (!app || !["staging", "production"].includes(environment ?? "")) {
  console.error("usage: node tools/deploy.mjs <app> <staging|production>");
  process.exit(2);
}
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cwd = join(root, "apps", app);
if (!existsSync(join(cwd, "wrangler.jsonc"))) {
  console.error(`deploy: apps/${app}/wrangler.jsonc not found`);
  process.exit(2);
}

/** The secrets for this app, from the CI secrets JSON, by the `<APP>__<NAME>` convention. */
function appSecrets(appName, all) {
  const prefix = `${appName.toUpperCase().replaceAll("-", "_")}__`;
  return Object.fromEntries(Object.entries(all).filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
}

function wrangler(args, input) {
  const result = spawnSync("node", [join(root, "tools", "bootstrap.mjs"), "pnpm", "exec", "wrangler", ...args], {
    cwd,
    stdio: [input === undefined ? "inherit" : "pipe", "inherit", "inherit"],
    input,
    env: process.env,
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

wrangler(["deploy", "--env", environment]);
const secrets = appSecrets(app, JSON.parse(process.env.APP_SECRETS || "{}"));
if (Object.keys(secrets).length > 0) {
  console.log(`deploy: uploading ${Object.keys(secrets).length} secret(s) for ${app}: ${Object.keys(secrets).join(", ")}`);
  wrangler(["secret", "bulk", "--env", environment], JSON.stringify(secrets));
}
