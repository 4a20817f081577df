import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { QUIET_ENV } from "@repo/mcp-app/testing";

export interface BundleSize {
  /** Bytes of JavaScript wrangler would upload (source maps excluded). */
  raw: number;
  gzip: number;
}

/** `wrangler deploy --dry-run` into a fresh directory; returns that directory (the caller removes it). */
export function dryRunBuild(cwd: string, minify: boolean, wrangler = join(cwd, "node_modules", ".bin", "wrangler")): string {
  const outdir = mkdtempSync(join(tmpdir(), "mcp-build-"));
  const result = spawnSync(wrangler, ["deploy", "--dry-run", "--outdir", outdir, ...(minify ? ["--minify"] : [])], {
    cwd,
    env: { ...process.env, ...QUIET_ENV, WRANGLER_LOG: "error" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    rmSync(outdir, { recursive: true, force: true });
    throw new Error(`wrangler deploy --dry-run failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
  }
  return outdir;
}

/** Size of what `wrangler deploy --dry-run` would upload from `dir` (its top-level config), raw and gzip. */
export function bundleSize(dir: string, minify: boolean, wrangler?: string): BundleSize {
  const outdir = dryRunBuild(dir, minify, wrangler);
  try {
    let raw = 0;
    let gzip = 0;
    const walk = (path: string) => {
      for (const entry of readdirSync(path)) {
        const full = join(path, entry);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.(m?js|wasm)$/.test(entry)) {
          const bytes = readFileSync(full);
          raw += bytes.byteLength;
          gzip += gzipSync(bytes).byteLength;
        }
      }
    };
    walk(outdir);
    return { raw, gzip };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
