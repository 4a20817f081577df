#!/usr/bin/env node
// Runs a workspace command with the pinned toolchain, installing it first when needed.
//
//   node tools/bootstrap.mjs <command> [args...]
//
// Works on a host with only Node >= 20 and npm: when the host's Node is older than
// wrangler and vitest need (22.12), a pinned Node 22 is installed from the npm registry
// into the git-ignored .tooling/ folder and put first on PATH. pnpm is pinned the same
// way. Dependencies are installed with `pnpm install --frozen-lockfile` whenever the
// lockfile changed since the last install.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const NODE_VERSION = "22.23.3";
const PNPM_VERSION = "12.21.0";
const MIN_NODE = [22, 12];

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tooling = join(root, ".tooling");
const toolingBin = join(tooling, "node_modules", ".bin");

const env = {
  ...process.env,
  NX_DAEMON: "false",
  NX_NO_CLOUD: "true",
  NX_TUI: "false",
  WRANGLER_SEND_METRICS: "false",
  WRANGLER_SEND_ERROR_REPORTS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_HIDE_BANNER: "true",
  // Advice to upgrade pnpm or npm asks nothing of a user here: the versions are pinned on purpose.
  npm_config_update_notifier: "false",
  CI: process.env.CI ?? "",
};

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: "inherit", env, cwd: root, ...options });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

function must(command, args, what) {
  const status = run(command, args);
  if (status !== 0) {
    console.error(`bootstrap: ${what} failed (exit ${status})`);
    process.exit(status);
  }
}

function hostNodeIsEnough() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  return major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
}

function installedVersion(pkg) {
  try {
    return JSON.parse(readFileSync(join(tooling, "node_modules", pkg, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

function ensureTooling() {
  const wanted = [`pnpm@${PNPM_VERSION}`];
  if (!hostNodeIsEnough()) wanted.push(`node@${NODE_VERSION}`);
  const missing = wanted.filter((spec) => {
    const [name, version] = spec.split("@");
    return installedVersion(name) !== version;
  });
  if (missing.length > 0) {
    mkdirSync(tooling, { recursive: true });
    console.error(`bootstrap: installing ${missing.join(", ")} into .tooling/`);
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    // --loglevel=error: npm's notes on these two packages' install scripts (they unpack the binaries) ask for no action.
    must(
      npm,
      ["install", "--prefix", tooling, "--no-audit", "--no-fund", "--no-save", "--loglevel=error", ...missing],
      "toolchain install",
    );
  }
  env.PATH = [toolingBin, join(root, "node_modules", ".bin"), env.PATH].join(delimiter);
}

function ensureDependencies() {
  const lock = readFileSync(join(root, "pnpm-lock.yaml"));
  const hash = createHash("sha256")
    .update(lock)
    .update(readFileSync(join(root, "pnpm-workspace.yaml")))
    .digest("hex");
  const marker = join(root, "node_modules", ".bootstrap-lock-hash");
  if (existsSync(marker) && readFileSync(marker, "utf8") === hash) return;
  // --loglevel=warn: what needs a look is still shown; the store paths, progress and package list are not.
  must("pnpm", ["install", "--frozen-lockfile", "--reporter=append-only", "--loglevel=warn"], "pnpm install");
  writeFileSync(marker, hash);
}

const [command, ...args] = process.argv.slice(2);
ensureTooling();
if (command !== "pnpm" || args[0] !== "install") ensureDependencies();
if (!command) process.exit(0);
process.exit(run(command, args));
