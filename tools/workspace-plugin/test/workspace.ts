import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Tree } from "@nx/devkit";
import { createTree } from "@nx/devkit/testing";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../..", import.meta.url));

/** Tracked and untracked-but-not-ignored files: what a clone plus the work in progress holds. */
export function workspaceFiles(): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  return [...new Set(listed.split("\0").filter(Boolean))].filter((file) => existsSync(join(ROOT, file)));
}

/** An in-memory Tree holding the workspace's files under the given prefixes (binary files skipped). */
export function treeOf(prefixes: readonly string[]): Tree {
  const tree = createTree();
  for (const file of workspaceFiles()) {
    if (prefixes.some((prefix) => file.startsWith(prefix)) && !file.endsWith(".png")) tree.write(file, readFileSync(join(ROOT, file)));
  }
  return tree;
}

export const read = (path: string): string => readFileSync(join(ROOT, path), "utf8");
