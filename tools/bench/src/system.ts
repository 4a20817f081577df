import { readdirSync, readFileSync, statSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";

/** The pids of the workerd processes in a process group (wrangler dev runs two). */
export function workerdPids(processGroup: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its closing paren.
      const close = stat.lastIndexOf(")");
      const comm = stat.slice(stat.indexOf("(") + 1, close);
      const fields = stat.slice(close + 2).split(" ");
      if (comm === "workerd" && Number(fields[2]) === processGroup) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Resident memory (VmRSS) of a process in bytes, 0 when it is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Summed RSS of a dev server's workerd processes. */
export function workerdRss(processGroup: number): number {
  const pids = workerdPids(processGroup);
  if (pids.length === 0) throw new Error(`no workerd process in process group ${processGroup}`);
  return pids.reduce((sum, pid) => sum + rssBytes(pid), 0);
}

export interface DirUsage {
  /** Sum of file sizes. */
  bytes: number;
  files: number;
}

/**
 * What a Worker's own state occupies under a --persist-to directory: KV, Durable Objects, D1 and
 * R2. Left out: miniflare's cache and its observability trace store (`v3/observability`), which
 * record every request in local dev for any Worker and are not the app's state.
 */
export function stateUsage(persistTo: string): DirUsage {
  const parts = ["kv", "do", "d1", "r2"].map((kind) => dirUsage(join(persistTo, "v3", kind)));
  return { bytes: parts.reduce((sum, part) => sum + part.bytes, 0), files: parts.reduce((sum, part) => sum + part.files, 0) };
}

/** Total size and count of the regular files under a directory. */
export function dirUsage(path: string): DirUsage {
  let bytes = 0;
  let files = 0;
  const walk = (dir: string) => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        try {
          bytes += statSync(full).size;
          files += 1;
        } catch {}
      }
    }
  };
  walk(path);
  return { bytes, files };
}

/** The 1-minute load average and the number of CPUs, for the report. */
export function machineLoad(): { load1: number; load5: number; cpus: number } {
  const [load1 = 0, load5 = 0] = loadavg();
  let cpus = 0;
  try {
    cpus = (readFileSync("/proc/cpuinfo", "utf8").match(/^processor\s*:/gm) ?? []).length;
  } catch {}
  return { load1, load5, cpus };
}
