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

/** A wrangler.jsonc as JSON: its line and block comments removed (never inside a string). */
function parseJsonc(text) {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const end = closingQuote(text, i);
      out += text.slice(i, end + 1);
      i = end;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      i = text.indexOf("*/", i + 2) + 1;
      if (i === 0) break;
    } else {
      out += c;
    }
  }
  return JSON.parse(out);
}

function closingQuote(text, open) {
  for (let i = open + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === '"') return i;
  }
  return text.length - 1;
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

const configPath = `apps/${app}/wrangler.jsonc`;
let section;
try {
  section = parseJsonc(readFileSync(join(root, configPath), "utf8")).env?.[environment];
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
