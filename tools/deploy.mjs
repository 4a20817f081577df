#!/usr/bin/env node
// Deploys one app to one environment from CI:  node tools/deploy.mjs <app> <staging|production>
//
// Secrets: CI passes the repository's secrets as JSON in APP_SECRETS; only those named
// `<APP>__<NAME>` (app name upper-cased, dashes as underscores) are uploaded, as NAME, to
// this app's Worker through `wrangler secret bulk` on stdin, so no value reaches argv or logs.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseJson } from "nx/src/devkit-exports.js";

const [app, environment] = process.argv.slice(2);
if (!app || !["staging", "production"].includes(environment ?? "")) {
  console.error("usage: node tools/deploy.mjs <app> <staging|production>");
  process.exit(2);
}
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const cwd = join(root, "apps", app);
const configPath = `apps/${app}/wrangler.jsonc`;
if (!existsSync(join(root, configPath))) {
  console.error(`deploy: ${configPath} not found`);
  process.exit(2);
}

/** The placeholders the README asks to fill in before a first deploy. */
const PLACEHOLDERS = [/REPLACE_WITH_[A-Z0-9_]+/g, /[a-z0-9.-]*your-account[a-z0-9.-]*/g, /[a-z0-9.-]*example\.com/g];

/** Placeholders still in an environment's section of the config, so a deploy stops before it uploads anything. */
function placeholdersIn(section) {
  const text = JSON.stringify(section);
  return [...new Set(PLACEHOLDERS.flatMap((pattern) => text.match(pattern) ?? []))];
}

/** The secrets for this app, from the CI secrets JSON, by the `<APP>__<NAME>` convention. */
function appSecrets(appName, all) {
  const prefix = `${appName.toUpperCase().replaceAll("-", "_")}__`;
  return Object.fromEntries(
    Object.entries(all)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, value]) => [key.slice(prefix.length), value]),
  );
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

let section;
try {
  // The JSONC parser the workspace tooling reads these configs with (tools/workspace-plugin).
  section = parseJson(readFileSync(join(root, configPath), "utf8"), { expectComments: true }).env?.[environment];
} catch (error) {
  console.error(`deploy: ${configPath} could not be read as JSONC: ${error instanceof Error ? error.message : error}`);
  process.exit(2);
}
if (!section) {
  console.error(`deploy: ${configPath} has no env.${environment} section`);
  process.exit(2);
}
const left = placeholdersIn(section);
if (left.length > 0) {
  console.error(
    `deploy: ${configPath} env.${environment} still holds placeholders: ${left.join(", ")}. ` +
      'Fill them in first (README, "Deploy", "Once per app and environment"); nothing was deployed.',
  );
  process.exit(2);
}

wrangler(["deploy", "--env", environment]);
const secrets = appSecrets(app, JSON.parse(process.env.APP_SECRETS || "{}"));
if (Object.keys(secrets).length > 0) {
  console.log(`deploy: uploading ${Object.keys(secrets).length} secret(s) for ${app}: ${Object.keys(secrets).join(", ")}`);
  wrangler(["secret", "bulk", "--env", environment], JSON.stringify(secrets));
}
