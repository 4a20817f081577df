// Rewrites the apps table in README.md from the apps:  npm run nx -- readme @repo/workspace-plugin
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { updatedReadme } from "./readme.ts";
import { diskFiles } from "./workspace.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const path = join(root, "README.md");
writeFileSync(path, updatedReadme(readFileSync(path, "utf8"), diskFiles(root)));
console.log("README.md: apps table updated");
