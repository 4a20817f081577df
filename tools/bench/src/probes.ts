import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { BundleSize } from "release/bundle";
import { type RequestShape, replay } from "./load.js";
import { LEGACY_VERSION } from "./scenarios.js";
import { openInitializedSse, type SseSession, sseRequest } from "./sse-client.js";
import { stateUsage, workerdRss } from "./system.js";
import type { BenchServer } from "./wrangler.js";

/** Sends one request shape with fetch; returns status and body. */
export async function send(origin: string, shape: RequestShape): Promise<{ status: number; body: string }> {
  const response = await fetch(`${origin}${shape.path}`, {
    method: shape.method,
    headers: shape.headers,
    ...(shape.body !== undefined && { body: shape.body }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: response.status, body: await response.text() };
}

/**
 * Sends a shape once and checks the answer is a JSON-RPC success (not an error, not isError);
 * returns the exact body, which autocannon then expects of every response.
 */
export async function expectedBody(origin: string, shape: RequestShape, what: string): Promise<string> {
  const { status, body } = await send(origin, shape);
  let parsed: { result?: { isError?: boolean }; error?: unknown } | undefined;
  try {
    parsed = JSON.parse(body);
  } catch {}
  if (status !== 200 || !parsed?.result || parsed.result.isError) {
    throw new Error(`${what}: expected a JSON-RPC result, got ${status}: ${body.slice(0, 300)}`);
  }
  return body;
}

/** Runs `count` jobs with at most `concurrency` in flight; returns how many failed. */
export async function pool(count: number, concurrency: number, job: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        await job(index);
      } catch (error) {
        failed += 1;
        if (failed <= 3 && process.env.BENCH_DEBUG) console.error(`job ${index} failed:`, error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return failed;
}

export interface MemoryGrowth {
  /** RSS of the dev server's workerd processes after warm-up, bytes. */
  baselineRss: number;
  /** RSS growth over each batch, bytes. */
  growth: number[];
  /** Size of the --persist-to directory before and after the batches. */
  diskBefore: number;
  diskAfter: number;
  filesBefore: number;
  filesAfter: number;
  failures: number;
  /** Units (sessions or requests) per batch. */
  perBatch: number;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 1000));

/**
 * Memory and disk growth of a dev server over `batches` batches of `perBatch` units of work (a
 * unit is a sequence of requests: one new /mcp session, or one trivial request), after `warmup` units.
 */
export async function memoryGrowth(
  server: BenchServer,
  unit: RequestShape[],
  options: { warmup: number; perBatch: number; batches: number; concurrency: number },
): Promise<MemoryGrowth> {
  let failures = await replay(server.origin, unit, options.warmup, options.concurrency);
  await settle();
  const disk = stateUsage(server.stateDir);
  const baselineRss = workerdRss(server.pid);
  let previous = baselineRss;
  const growth: number[] = [];
  for (let batch = 0; batch < options.batches; batch++) {
    failures += await replay(server.origin, unit, options.perBatch, options.concurrency);
    await settle();
    const rss = workerdRss(server.pid);
    growth.push(rss - previous);
    previous = rss;
  }
  const after = stateUsage(server.stateDir);
  return {
    baselineRss,
    growth,
    diskBefore: disk.bytes,
    diskAfter: after.bytes,
    filesBefore: disk.files,
    filesAfter: after.files,
    failures,
    perBatch: options.perBatch,
  };
}

export interface SseRelease {
  sessions: number;
  /** RSS before opening, with every session open (initialized, one call answered), and after release. */
  rssBefore: number;
  rssOpen: number;
  rssAfter: number;
  /** Durable Object state files before, while open, and after. */
  doFilesBefore: number;
  doFilesOpen: number;
  doFilesAfter: number;
  /** Sessions whose endpoint still answered 202 when we gave up waiting (0 = all released). */
  notReleased: number;
  /** Milliseconds from closing the streams until every session's endpoint answered 404. */
  releaseMs: number;
  failures: number;
}

function durableObjectFiles(stateDir: string): number {
  const root = join(stateDir, "v3", "do");
  let files = 0;
  try {
    for (const namespace of readdirSync(root)) {
      for (const file of readdirSync(join(root, namespace))) if (file.endsWith(".sqlite")) files += 1;
    }
  } catch {}
  return files;
}

/**
 * Opens `count` legacy SSE sessions (each initialized and answering one tools/call), closes the
 * streams as a client that goes away does, and waits until every session is released: its
 * Durable Object drops the session, so a message for it answers 404.
 */
export async function sseRelease(server: BenchServer, auth: Record<string, string>, count: number, waitMs: number): Promise<SseRelease> {
  const origin = server.origin;
  const rssBefore = workerdRss(server.pid);
  const doFilesBefore = durableObjectFiles(server.stateDir);
  const sessions: SseSession[] = [];
  const failures = await pool(count, 10, async () => {
    const session = await openInitializedSse(origin, auth, LEGACY_VERSION);
    sessions.push(session);
    await sseRequest(origin, session, auth, {
      jsonrpc: "2.0",
      id: "call",
      method: "tools/call",
      params: { name: "add", arguments: { a: 2, b: 3 } },
    });
  });
  await settle();
  const rssOpen = workerdRss(server.pid);
  const doFilesOpen = durableObjectFiles(server.stateDir);
  const endpoints = sessions.map((session) => session.endpoint);
  for (const session of sessions) session.close();
  const closed = performance.now();
  let pending = endpoints;
  while (pending.length > 0 && performance.now() - closed < waitMs) {
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const still: string[] = [];
    await pool(pending.length, 10, async (index) => {
      const endpoint = pending[index] as string;
      const response = await fetch(`${origin}${endpoint}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...auth },
        body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/bench-probe" }),
      });
      await response.body?.cancel();
      if (response.status !== 404) still.push(endpoint);
    });
    pending = still;
  }
  const releaseMs = performance.now() - closed;
  await settle();
  return {
    sessions: sessions.length,
    rssBefore,
    rssOpen,
    rssAfter: workerdRss(server.pid),
    doFilesBefore,
    doFilesOpen,
    doFilesAfter: durableObjectFiles(server.stateDir),
    notReleased: pending.length,
    releaseMs,
    failures,
  };
}

/**
 * The MCP Apps views tools/build-ui.mjs built into `<dir>/dist/ui`: each one's HTML document, raw
 * and gzipped. Each is a Text module, uploaded beside the Worker's script, not part of it.
 */
export function viewSizes(dir: string): Record<string, BundleSize> {
  const built = join(dir, "dist", "ui");
  const sizes: Record<string, BundleSize> = {};
  for (const entry of readdirSync(built)
    .filter((name) => name.endsWith(".html"))
    .sort()) {
    const html = readFileSync(join(built, entry));
    sizes[entry.replace(/\.html$/, "")] = { raw: html.byteLength, gzip: gzipSync(html).byteLength };
  }
  return sizes;
}
