#!/usr/bin/env node
// `npx nx <target> <project>` in this repo. npx runs the root package's own `nx` bin (package.json
// "bin") ahead of node_modules/.bin, so the command a guide gives works on a fresh clone with only
// Node >= 20 and npm: tools/bootstrap.mjs installs the pinned Node 22, pnpm and the dependencies
// on demand, then runs the workspace's Nx with them first on PATH (Nx runs scripts with pnpm).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const bootstrap = fileURLToPath(new URL("bootstrap.mjs", import.meta.url));
const result = spawnSync(process.execPath, [bootstrap, "nx", ...process.argv.slice(2)], { stdio: "inherit" });
if (result.error) throw result.error;
process.exit(result.status ?? 1);
