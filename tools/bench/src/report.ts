import { formatBytes, formatNumber, formatRatio, markdownTable, median, meets, ratio, type Target, textTable } from "./stats.js";

/** What one run of the benchmark produced (docs/benchmarks.json). */

export type ScenarioKey = "post" | "call2025" | "call2026" | "init2025" | "sse" | "taskCreate" | "taskGet";

/** The MCP apps' scenarios, in report order; the task ones are measured at c=10 only. */
export const APP_SCENARIOS = ["call2025", "call2026", "init2025", "sse", "taskCreate", "taskGet"] as const;
export const TASK_CONCURRENCY = 10;

export const SCENARIOS: Record<ScenarioKey, string> = {
  post: "trivial Worker: POST, fixed JSON answer",
  call2025: "tools/call over /mcp, 2025-11-25 (no session, JSON answer)",
  call2026: "tools/call over /mcp, 2026-07-28 (per-request _meta)",
  init2025: "new 2025-era session: initialize over /mcp",
  sse: "tools/call over legacy /sse: POST /sse/message, replies counted on the stream",
  taskCreate: "MCP Tasks, 2026-07-28: tools/call count_slowly as a task (one new task Durable Object per request), c=10 only",
  taskGet: "MCP Tasks, 2026-07-28: tasks/get of a completed task, c=10 only",
};

export interface ThroughputFigure {
  /** Medians over the runs. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  runs: { rps: number; p50Ms: number; p99Ms: number; errors: number }[];
  /** Median over the runs of rps / the mean rps of the trivial Worker measured right before and after, at the same concurrency. */
  rpsRatio: number;
  /** Likewise for p99 latency (lower is better). */
  p99Ratio: number;
}

export interface Results {
  generatedAt: string;
  commit: string;
  machine: { cpus: number; loadBefore: number; loadAfter: number; node: string };
  config: {
    runs: number;
    durationS: number;
    concurrency: number[];
    memory: { warmup: number; perBatch: number; batches: number; concurrency: number };
    sseSessions: number;
  };
  wallSeconds: number;
  apps: { key: string; name: string; kind: string; credential: string }[];
  throughput: Record<string, Partial<Record<ScenarioKey, Record<number, ThroughputFigure>>>>;
  startupMs: Record<string, { median: number; runs: number[] }>;
  bundles: Record<string, { minified: { raw: number; gzip: number }; unminified: { raw: number; gzip: number } }>;
  /** The MCP Apps views' HTML documents (Text modules beside the scripts of the apps that serve them, outside their bundles); absent before they existed. */
  views?: Record<string, { raw: number; gzip: number }>;
  /** Each standalone template installed from the published libs, and the app it is rendered like, built in the monorepo. */
  templateBundles?: Record<
    string,
    {
      app: string;
      minified: { raw: number; gzip: number };
      unminified: { raw: number; gzip: number };
      appMinified: { raw: number; gzip: number };
    }
  >;
  memory: Record<
    string,
    {
      baselineRss: number;
      growth: number[];
      diskBefore: number;
      diskAfter: number;
      filesBefore: number;
      filesAfter: number;
      failures: number;
      perBatch: number;
    }
  >;
  sse: Record<
    string,
    {
      sessions: number;
      rssBefore: number;
      rssOpen: number;
      rssAfter: number;
      doFilesBefore: number;
      doFilesOpen: number;
      doFilesAfter: number;
      notReleased: number;
      releaseMs: number;
      failures: number;
    }
  >;
}

export interface TargetCheck {
  what: string;
  app: string;
  measured: number;
  /** How the measured figure is shown. */
  shown: string;
  target: Target;
  met: boolean;
}

const KIB = 1024;

/** Memory growth below this is within what allocator and JIT noise alone produce, for any Worker. */
export const MEMORY_NOISE_BYTES = 1024 * 1024;

/** Median RSS growth per batch, floored at the noise level so a ratio of two near-zero figures means something. */
export function memoryGrowthFigure(growth: readonly number[]): number {
  return Math.max(median(growth), MEMORY_NOISE_BYTES);
}

/** Every target of the performance issue, checked against one run's results. */
export function checkTargets(results: Results): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const appsOf = (kinds: string[]) => results.apps.filter((app) => kinds.includes(app.kind)).map((app) => app.key);
  const add = (what: string, app: string, measured: number, target: Target, shown = formatRatio(measured)) => {
    if (Number.isNaN(measured)) return;
    checks.push({ what, app, measured, shown, target, met: meets(measured, target) });
  };
  const figure = (app: string, scenario: ScenarioKey, c: number) => results.throughput[app]?.[scenario]?.[c];

  for (const app of appsOf(["public"])) {
    for (const c of [10, 50])
      add(`tools/call (2025) throughput ratio, c=${c}`, app, figure(app, "call2025", c)?.rpsRatio ?? NaN, { op: ">=", value: 0.85 });
  }
  for (const app of appsOf(["oauth", "bearer"])) {
    add("tools/call (2025) throughput ratio, c=10", app, figure(app, "call2025", 10)?.rpsRatio ?? NaN, { op: ">=", value: 0.7 });
    add("tools/call (2025) p99 ratio, c=50", app, figure(app, "call2025", 50)?.p99Ratio ?? NaN, { op: "<=", value: 1.5 });
  }
  for (const app of appsOf(["oauth"])) {
    add("initialize (2025) throughput ratio, c=10", app, figure(app, "init2025", 10)?.rpsRatio ?? NaN, { op: ">=", value: 0.6 });
  }
  const trivialMemory = results.memory.trivial;
  for (const app of appsOf(["public", "oauth", "bearer"])) {
    const memory = results.memory[app];
    if (memory && trivialMemory) {
      const value = ratio(memoryGrowthFigure(memory.growth), memoryGrowthFigure(trivialMemory.growth));
      add(`RSS growth per ${memory.perBatch} /mcp sessions vs the trivial Worker's per as many requests`, app, value, {
        op: "<=",
        value: 1.2,
      });
      const perSession = (memory.diskAfter - memory.diskBefore) / (memory.perBatch * results.config.memory.batches);
      add("bytes left on disk per /mcp session", app, perSession, { op: "<=", value: 0 }, `${perSession.toFixed(1)} B`);
    }
    const sse = results.sse[app];
    if (sse)
      add(
        `/sse sessions not released after disconnect (of ${sse.sessions})`,
        app,
        sse.notReleased,
        { op: "<=", value: 0 },
        String(sse.notReleased),
      );
  }
  for (const app of results.apps) {
    const bundle = results.bundles[app.key];
    if (!bundle) continue;
    const limit = app.kind === "public" ? 150 : app.kind === "baseline" ? undefined : 300;
    if (limit === undefined) continue;
    add(
      "bundle, minified + gzip (KiB)",
      app.key,
      bundle.minified.gzip / KIB,
      { op: "<=", value: limit },
      formatBytes(bundle.minified.gzip),
    );
  }
  return checks;
}

interface Table {
  title: string;
  header: string[];
  rows: string[][];
}

function tables(results: Results): Table[] {
  const out: Table[] = [];
  const base = results.throughput.trivial?.post ?? {};
  const concurrency = results.config.concurrency;
  const throughputRows: string[][] = [];
  for (const c of concurrency) {
    const b = base[c];
    if (b) {
      throughputRows.push([
        "trivial",
        "POST fixed JSON",
        String(c),
        formatNumber(b.rps),
        "1.00",
        formatNumber(b.p50Ms),
        formatNumber(b.p99Ms),
        "1.00",
        String(b.errors),
      ]);
    }
  }
  for (const app of results.apps.filter((a) => a.kind !== "baseline")) {
    for (const scenario of APP_SCENARIOS) {
      for (const c of concurrency) {
        const f = results.throughput[app.key]?.[scenario]?.[c];
        if (!f) continue;
        throughputRows.push([
          app.key,
          scenario,
          String(c),
          formatNumber(f.rps),
          formatRatio(f.rpsRatio),
          formatNumber(f.p50Ms),
          formatNumber(f.p99Ms),
          formatRatio(f.p99Ratio),
          String(f.errors),
        ]);
      }
    }
  }
  out.push({
    title: "Throughput and latency (medians; ratios to the trivial Worker measured right before and after, same concurrency)",
    header: ["app", "scenario", "c", "req/s", "ratio", "p50 ms", "p99 ms", "p99 ratio", "errors"],
    rows: throughputRows,
  });

  const trivialStart = results.startupMs.trivial?.median;
  const trivialBundle = results.bundles.trivial;
  const trivialMemory = results.memory.trivial;
  const sizeRows: string[][] = results.apps.map((app) => {
    const bundle = results.bundles[app.key];
    const start = results.startupMs[app.key]?.median;
    return [
      app.key,
      formatBytes(bundle?.minified.raw),
      formatBytes(bundle?.minified.gzip),
      formatRatio(ratio(bundle?.minified.gzip, trivialBundle?.minified.gzip)),
      formatBytes(bundle?.unminified.raw),
      formatBytes(bundle?.unminified.gzip),
      start === undefined ? "–" : formatNumber(start, 0),
      formatRatio(ratio(start, trivialStart)),
    ];
  });
  out.push({
    title:
      "Bundle (the Worker's script, as `wrangler deploy --dry-run` writes it; MCP Apps views are separate modules, below) and time from spawning `wrangler dev` to the first response",
    header: ["app", "minified", "minified gzip", "gzip ratio", "unminified", "unminified gzip", "start ms", "start ratio"],
    rows: sizeRows,
  });
  const views = Object.entries(results.views ?? {});
  if (views.length > 0) {
    out.push({
      title:
        "MCP Apps views (self-contained HTML documents from libs/mcp-tools/ui; each is a Text module uploaded beside the script of the apps that serve it, outside the bundles above)",
      header: ["view", "HTML", "gzip"],
      rows: views.map(([view, size]) => [view, formatBytes(size.raw), formatBytes(size.gzip)]),
    });
  }

  const templateRows: string[][] = Object.entries(results.templateBundles ?? {}).map(([template, bundle]) => [
    `templates/${template}`,
    bundle.app,
    formatBytes(bundle.minified.raw),
    formatBytes(bundle.minified.gzip),
    formatBytes(bundle.appMinified.gzip),
    formatRatio(ratio(bundle.minified.gzip, bundle.appMinified.gzip)),
    formatBytes(bundle.unminified.gzip),
  ]);
  if (templateRows.length > 0) {
    out.push({
      title:
        "Standalone templates: the bundle of each, installed with npm from the published libs, against the same app built in the monorepo",
      header: ["template", "app", "minified", "minified gzip", "app minified gzip", "gzip ratio", "unminified gzip"],
      rows: templateRows,
    });
  }

  const memoryRows: string[][] = results.apps.flatMap((app) => {
    const memory = results.memory[app.key];
    if (!memory) return [];
    return [
      [
        app.key,
        app.kind === "baseline" ? `${memory.perBatch} × 3 requests` : `${memory.perBatch} sessions`,
        formatBytes(memory.baselineRss),
        memory.growth.map((g) => formatBytes(g)).join(" / "),
        formatRatio(ratio(memoryGrowthFigure(memory.growth), trivialMemory && memoryGrowthFigure(trivialMemory.growth))),
        `${formatBytes(memory.diskBefore)} → ${formatBytes(memory.diskAfter)}`,
        `${memory.filesBefore} → ${memory.filesAfter}`,
        String(memory.failures),
      ],
    ];
  });
  out.push({
    title: "workerd memory (RSS of both workerd processes) per batch, and the --persist-to directory",
    header: ["app", "batch", "RSS after warm-up", "growth per batch", "growth ratio", "disk before → after", "files", "failures"],
    rows: memoryRows,
  });

  const sseRows: string[][] = Object.entries(results.sse).map(([app, s]) => [
    app,
    String(s.sessions),
    formatBytes(s.rssBefore),
    formatBytes(s.rssOpen - s.rssBefore),
    formatBytes(s.rssAfter - s.rssBefore),
    `${s.doFilesBefore} → ${s.doFilesOpen} → ${s.doFilesAfter}`,
    String(s.notReleased),
    formatNumber(s.releaseMs / 1000, 1),
    String(s.failures),
  ]);
  out.push({
    title: "Legacy /sse sessions: opened (initialize + one call), then the clients disconnect",
    header: [
      "app",
      "sessions",
      "RSS before",
      "RSS while open (Δ)",
      "RSS after release (Δ)",
      "DO files before → open → after",
      "not released",
      "release s",
      "failures",
    ],
    rows: sseRows,
  });

  const checks = checkTargets(results);
  out.push({
    title: "Targets",
    header: ["app", "figure", "measured", "target", "met"],
    rows: checks.map((check) => [check.app, check.what, check.shown, `${check.target.op} ${check.target.value}`, check.met ? "yes" : "NO"]),
  });
  return out;
}

/** How far the trivial Worker's own figures at c=10 moved between rounds in this run. */
function trivialSpread(results: Results): string {
  const figure = results.throughput.trivial?.post?.[10];
  if (!figure || figure.runs.length < 2) return "the trivial Worker was not measured at c=10 in more than one round in this run";
  const rps = figure.runs.map((run) => run.rps);
  return `in this run the trivial Worker's own ${results.config.durationS}-second figures at c=10 ranged from ${formatNumber(Math.min(...rps))} to ${formatNumber(Math.max(...rps))} req/s`;
}

function summary(results: Results): string {
  const { machine, config } = results;
  return `${results.generatedAt} at ${results.commit}; ${machine.cpus} CPUs, load average ${machine.loadBefore.toFixed(2)} before / ${machine.loadAfter.toFixed(2)} after; ${config.runs} runs of ${config.durationS} s per figure; ${results.wallSeconds.toFixed(0)} s in all; Node ${machine.node}`;
}

export function renderText(results: Results): string {
  return [summary(results), ...tables(results).map((table) => `\n${table.title}\n${textTable(table.header, table.rows)}`)].join("\n");
}

export function renderMarkdown(results: Results): string {
  const credentials = results.apps.map((app) => `| ${app.key} | ${app.name} | ${app.credential} |`).join("\n");
  return `# Benchmarks

<!-- Generated by \`npm run bench\` (tools/bench); do not edit by hand. The same figures: benchmarks.json. -->

Latest run: ${summary(results)}.

Every app runs under \`wrangler dev\` (local workerd) with request logging off (\`QUIET_LOGS=true\`, \`--log-level error\`), next to a trivial Worker that answers every request with a fixed JSON body ([tools/bench/trivial](../tools/bench/trivial)). Load comes from autocannon in the same process as the harness, on the same machine, so **absolute numbers say little; the ratios to the trivial Worker, measured right before and right after each figure, are the figures to read** (this machine drifts ±30 % between runs; the ratios much less).

## How to read it

- **ratio** (throughput): the app's requests per second divided by the trivial Worker's at the same concurrency, measured right before and right after it (the mean of the two: every figure is sandwiched, T A T B T …, so a drift in the machine's load cancels); the median of the rounds. 1.00 means "as fast as a Worker that does nothing"; 0.70 means the app's own work costs 30 % of the throughput.
- **p99 ratio**: the app's 99th-percentile latency divided by the trivial Worker's (lower is better).
- Every response under load is checked: its body must equal the answer checked once before the load (a JSON-RPC result, not an error). **errors** counts non-2xx answers, mismatched bodies and connection errors; it should be 0.
- Scenarios: ${Object.entries(SCENARIOS)
    .map(([key, text]) => `\`${key}\`: ${text}`)
    .join(
      "; ",
    )}. For \`sse\`, one session is opened and initialized, then autocannon posts \`tools/call\` messages to its endpoint; req/s counts the replies that arrived on the stream, latency is POST → 202 (the reply follows on the stream).
- Memory: RSS of the dev server's two workerd processes, after a warm-up of ${results.config.memory.warmup} units, over ${results.config.memory.batches} batches of ${results.config.memory.perBatch}; a unit is one new /mcp session, \`initialize\` + \`notifications/initialized\` + one \`tools/call\` (2025-11-25), and for the trivial Worker the same number of requests (3): \`wrangler dev\` itself grows RSS with every request it serves (request tracing for its local observability, for any Worker), so only equal request counts compare. The growth ratio floors both figures at ${formatBytes(MEMORY_NOISE_BYTES)}. RSS moves with V8's garbage collector, so one batch can show a drop: read the trend of the three.
- Disk: the Worker's own state under \`--persist-to\` (KV, Durable Objects, D1, R2), before the first and after the last batch; miniflare's local trace store and cache are left out (they record every request of any Worker in local dev).
- Bundles: \`wrangler deploy --dry-run --outdir\`, JavaScript only, gzip level 6. Apps deploy minified (their \`build\` script). A standalone template is built where a user builds it: taken out of a \`git archive\`, installed with npm from the libs as built now, published to a Verdaccio registry on loopback (tools/release), next to the same app built in the monorepo.
- Rate limiting is off in every app (\`RATE_LIMITING=off\`): the apps allow a few hundred MCP requests a minute per client, which one second of load exceeds. The limiter's own cost (one binding call per request) is not in these figures.
- Noise: two CPUs are shared by autocannon, wrangler and two workerd processes. Sandwiching every figure between two of the trivial Worker's cancels slow drift in the machine's load, not second-to-second jitter: ${trivialSpread(results)} (every round's figures are in benchmarks.json). Read the load average before the run (above): near 0 is a quiet machine; other work competes with the apps for the same two CPUs. How many dev servers share the machine moves the figures too: an app measured alone (for example \`BENCH_APPS=authless\`) reads a few hundredths higher than in a full run of five apps. A ratio a little under or over a target says little; a gap that holds across runs does (the OAuth apps with the token cache off: \`BENCH_APPS=oauth,oauth-uncached\`).
- Tracing: every app runs every request in a W3C trace (ids, spans) whether or not it exports; \`authless-traced\` is remote-mcp-authless with span export on (OTLP/HTTP JSON, batched per isolate, to a collector stand-in on loopback that drains each post), measured with \`BENCH_APPS=authless,authless-traced\`: its ratio over authless's is what exporting costs per request (see [observability.md](observability.md)).
- A disk figure below zero is SQLite checkpointing the local KV's write-ahead log, not state removed.
- /sse release: a session's Durable Object notices its client is gone when a write to the stream fails; it writes a keep-alive every 15 s, and under \`wrangler dev\` the first writes after a disconnect still succeed (the local proxy buffers them), so release takes about three keep-alive intervals here. Each session's Durable Object also leaves an empty SQLite file in the local state (the class is SQLite-backed; it stores nothing). See [scaling.md](scaling.md) for what happens when deployed.

Run it with \`npm run bench\` (about 15 minutes; it prints the same tables). \`BENCH_RUNS\`, \`BENCH_DURATION\` (seconds per figure), \`BENCH_CONCURRENCY\`, \`BENCH_APPS\` (for example \`oauth,oauth-uncached\`: the OAuth app with its token cache off) and \`BENCH_SKIP\` (\`bundle,templates,startup,memory,sse-release\`) shorten it; \`-- --no-write\` leaves these files alone. Measure on a quiet machine: the load average is recorded above.

Credentials used:

| key | app | credential |
| --- | --- | --- |
${credentials}

${tables(results)
  .map((table) => `## ${table.title}\n\n${markdownTable(table.header, table.rows)}\n`)
  .join("\n")}
See [scaling.md](scaling.md) for what these figures mean once deployed across Cloudflare's network.
`;
}
