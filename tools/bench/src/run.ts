/**
 * The benchmark: every app under `wrangler dev` (request logging off) against a trivial Worker in
 * the same run, with autocannon at several concurrencies, plus memory, disk, SSE release, bundle
 * size and start-up time. Writes docs/benchmarks.json and regenerates docs/benchmarks.md.
 *
 *   npm run bench                          # the full run (about 15 minutes)
 *   BENCH_RUNS=1 BENCH_DURATION=1 npm run bench -- --no-write   # a quick look
 *   pnpm exec tsx src/run.ts --render-only   # docs/benchmarks.md again from docs/benchmarks.json
 *
 * Environment: BENCH_RUNS (default 3), BENCH_DURATION seconds per load (default 2),
 * BENCH_CONCURRENCY (default "1,10,50"), BENCH_APPS (comma-separated keys; the trivial Worker is
 * always measured), BENCH_SKIP (any of "bundle,templates,startup,memory,sse-release"; "templates" installs each
 * standalone template from the libs published to a loopback registry, as tools/release's e2e does).
 */
import { execSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type BundleSize, bundleSize } from "release/bundle";
import { publishedTemplates, TEMPLATE_APPS } from "release/install";
import { APPS, type BenchApp, type RunningApp } from "./apps.js";
import { type LoadResult, load, type RequestShape } from "./load.js";
import { expectedBody, type MemoryGrowth, memoryGrowth, type SseRelease, send, sseRelease, viewSizes } from "./probes.js";
import {
  APP_SCENARIOS,
  type Results,
  renderMarkdown,
  renderText,
  type ScenarioKey,
  TASK_CONCURRENCY,
  type ThroughputFigure,
} from "./report.js";
import {
  call2025,
  call2026,
  initialize2025,
  initialized2025,
  LEGACY_VERSION,
  sseCall,
  taskCreate2026,
  taskGet2026,
  trivialRequest,
} from "./scenarios.js";
import { openInitializedSse } from "./sse-client.js";
import { median } from "./stats.js";
import { machineLoad } from "./system.js";
import { ROOT, WRANGLER } from "./wrangler.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const DURATION = Number(process.env.BENCH_DURATION ?? 2);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,10,50").split(",").map(Number);
const ONLY = process.env.BENCH_APPS?.split(",").filter(Boolean);
const SKIP = new Set((process.env.BENCH_SKIP ?? "").split(",").filter(Boolean));
const WRITE = !process.argv.includes("--no-write");
const MEMORY = { warmup: 300, perBatch: 1000, batches: 3, concurrency: 20 };
const SSE_SESSIONS = 200;
const SSE_RELEASE_WAIT_MS = 90_000;

const say = (message: string) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

const apps = APPS.filter((app) => app.kind === "baseline" || (ONLY ? ONLY.includes(app.key) : !app.optional));
const trivial = apps.find((app) => app.kind === "baseline") as BenchApp;
const mcpApps = apps.filter((app) => app.kind !== "baseline");

interface Prepared {
  app: BenchApp;
  running: RunningApp;
  shapes: Partial<Record<ScenarioKey, RequestShape>>;
}

/** The request shapes an app is measured with, each checked once (and its exact answer expected under load). */
async function prepare(app: BenchApp, running: RunningApp): Promise<Prepared> {
  const origin = running.server.origin;
  if (app.kind === "baseline") {
    const shape = trivialRequest();
    return { app, running, shapes: { post: { ...shape, expectBody: (await send(origin, shape)).body } } };
  }
  const shapes: Partial<Record<ScenarioKey, RequestShape>> = {};
  for (const [key, make] of [
    ["call2025", call2025],
    ["call2026", call2026],
    ["init2025", initialize2025],
  ] as const) {
    const shape = make(running.auth);
    shapes[key] = { ...shape, expectBody: await expectedBody(origin, shape, `${app.key} ${key}`) };
  }
  // Every task creation answers a new task id, so only its status is checked under load; the
  // tasks/get poll answers the same bytes each time once its task has completed.
  const create = taskCreate2026(running.auth);
  const created = await send(origin, create);
  const taskId = (JSON.parse(created.body) as { result?: { resultType?: string; taskId?: string } }).result?.taskId;
  if (created.status !== 200 || !taskId) throw new Error(`${app.key}: count_slowly did not become a task: ${created.body.slice(0, 300)}`);
  shapes.taskCreate = create;
  const get = taskGet2026(running.auth, taskId);
  const deadline = Date.now() + 15_000;
  while (!(await send(origin, get)).body.includes('"status":"completed"')) {
    if (Date.now() > deadline) throw new Error(`${app.key}: task ${taskId} did not complete`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  shapes.taskGet = { ...get, expectBody: await expectedBody(origin, get, `${app.key} taskGet`) };
  return { app, running, shapes };
}

async function loadSse(prepared: Prepared, connections: number): Promise<LoadResult> {
  const { origin } = prepared.running.server;
  const session = await openInitializedSse(origin, prepared.running.auth, LEGACY_VERSION);
  try {
    const before = session.messages();
    const result = await load(origin, sseCall(prepared.running.auth, session.endpoint), connections, DURATION);
    const posted = result.rps * result.durationS;
    // Replies still in flight when the load stopped (they count: the load generator stopped, the server did not).
    const deadline = Date.now() + 5000;
    while (session.messages() - before < posted && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const replies = session.messages() - before;
    return { ...result, rps: Math.min(replies, posted) / result.durationS, errors: result.errors + Math.max(0, posted - replies) };
  } finally {
    session.close();
  }
}

function throughputFigure(samples: LoadResult[], baselines: LoadResult[][]): ThroughputFigure {
  // Each sample against the trivial Worker measured right before and right after it (their mean),
  // so drift in the machine's load cancels; then the median over the rounds.
  const paired = samples.map((sample, index) => {
    const base = baselines[index] ?? [];
    const rps = base.reduce((sum, b) => sum + b.rps, 0) / base.length;
    const p99 = base.reduce((sum, b) => sum + b.p99Ms, 0) / base.length;
    return { rps: sample.rps / rps, p99: sample.p99Ms / p99 };
  });
  return {
    rps: median(samples.map((s) => s.rps)),
    p50Ms: median(samples.map((s) => s.p50Ms)),
    p99Ms: median(samples.map((s) => s.p99Ms)),
    errors: samples.reduce((sum, s) => sum + s.errors, 0),
    runs: samples.map((s) => ({ rps: s.rps, p50Ms: s.p50Ms, p99Ms: s.p99Ms, errors: s.errors })),
    rpsRatio: median(paired.map((r) => r.rps)),
    p99Ratio: median(paired.map((r) => r.p99)),
  };
}

async function main() {
  const started = Date.now();
  const loadBefore = machineLoad();
  say(
    `load average ${loadBefore.load1.toFixed(2)} on ${loadBefore.cpus} CPUs; ${RUNS} runs of ${DURATION} s at c=${CONCURRENCY.join(",")}`,
  );
  if (loadBefore.load1 >= 0.5) {
    say(
      `other work is running (load average ${loadBefore.load1.toFixed(2)}): it competes with the apps, so the ratios will read low and scattered`,
    );
  }

  const bundles: Record<string, { minified: BundleSize; unminified: BundleSize }> = {};
  if (!SKIP.has("bundle")) {
    for (const app of apps) {
      say(`bundle ${app.key}`);
      bundles[app.key] = { minified: bundleSize(app.dir, true, WRANGLER), unminified: bundleSize(app.dir, false, WRANGLER) };
    }
  }
  // Built before the bench by Nx (build-ui), like every target that bundles the apps.
  const views = SKIP.has("bundle") ? {} : viewSizes(join(ROOT, "libs", "mcp-tools"));
  const templateBundles = SKIP.has("templates") ? {} : await measureTemplates();

  const running = new Map<string, RunningApp>();
  const startup: Record<string, number[]> = {};
  try {
    for (const app of apps) {
      say(`start ${app.key}`);
      const instance = await app.start();
      running.set(app.key, instance);
      startup[app.key] = [instance.server.startMs];
    }
    if (!SKIP.has("startup")) {
      for (let again = 1; again < RUNS; again++) {
        for (const app of apps) {
          const ms = await (running.get(app.key) as RunningApp).server.restart();
          startup[app.key]?.push(ms);
        }
      }
      say(`start-up: ${apps.map((app) => `${app.key} ${median(startup[app.key] ?? []).toFixed(0)} ms`).join(", ")}`);
    }

    const prepared = new Map<string, Prepared>();
    for (const app of apps) prepared.set(app.key, await prepare(app, running.get(app.key) as RunningApp));

    const memory: Record<string, MemoryGrowth> = {};
    if (!SKIP.has("memory")) {
      for (const app of apps) {
        const { running: instance, shapes } = prepared.get(app.key) as Prepared;
        const unit =
          app.kind === "baseline"
            ? // As many requests as a session: wrangler dev's own per-request bookkeeping grows RSS for any Worker.
              [shapes.post, shapes.post, shapes.post].map((shape) => shape as RequestShape)
            : [initialize2025(instance.auth), initialized2025(instance.auth), call2025(instance.auth)];
        say(`memory ${app.key}`);
        memory[app.key] = await memoryGrowth(instance.server, unit, MEMORY);
      }
    }

    const sse: Record<string, SseRelease> = {};
    if (!SKIP.has("sse-release")) {
      say(`SSE release: ${SSE_SESSIONS} sessions per app, opened, closed, waited for`);
      await Promise.all(
        mcpApps.map(async (app) => {
          const instance = running.get(app.key) as RunningApp;
          sse[app.key] = await sseRelease(instance.server, instance.auth, SSE_SESSIONS, SSE_RELEASE_WAIT_MS);
        }),
      );
    }

    // Warm every path once before the measured rounds.
    say("warm-up");
    for (const { app, running: instance, shapes } of prepared.values()) {
      for (const shape of Object.values(shapes)) await load(instance.server.origin, shape, 10, 1);
      if (app.kind !== "baseline") await loadSse(prepared.get(app.key) as Prepared, 10);
    }

    // Samples by app, scenario and concurrency. Every sample is taken between two of the trivial
    // Worker's at the same concurrency, its baseline (a sandwich: T A T B T ...).
    const samples = new Map<string, { app: string; scenario: ScenarioKey; c: number; results: LoadResult[] }>();
    const baselines = new Map<LoadResult, LoadResult[]>();
    const record = (app: string, scenario: ScenarioKey, c: number, result: LoadResult) => {
      const key = `${app}|${scenario}|${c}`;
      const entry = samples.get(key) ?? { app, scenario, c, results: [] };
      entry.results.push(result);
      samples.set(key, entry);
      if (result.errors > 0) say(`  ${app} ${scenario} c=${c}: ${result.errors} errors`);
    };
    const trivialPrepared = prepared.get(trivial.key) as Prepared;
    const measureTrivial = async (c: number) => {
      const result = await load(trivialPrepared.running.server.origin, trivialPrepared.shapes.post as RequestShape, c, DURATION);
      record(trivial.key, "post", c, result);
      return result;
    };
    for (let round = 0; round < RUNS; round++) {
      say(`round ${round + 1}/${RUNS}`);
      // A different app goes first each round.
      const order = [...mcpApps.slice(round % mcpApps.length), ...mcpApps.slice(0, round % mcpApps.length)];
      for (const c of CONCURRENCY) {
        let before = await measureTrivial(c);
        for (const app of order) {
          const p = prepared.get(app.key) as Prepared;
          for (const scenario of APP_SCENARIOS) {
            if ((scenario === "taskCreate" || scenario === "taskGet") && c !== TASK_CONCURRENCY) continue;
            const sample =
              scenario === "sse"
                ? await loadSse(p, c)
                : await load(p.running.server.origin, p.shapes[scenario] as RequestShape, c, DURATION);
            const after = await measureTrivial(c);
            baselines.set(sample, [before, after]);
            record(app.key, scenario, c, sample);
            before = after;
          }
        }
      }
    }

    const throughput: Results["throughput"] = {};
    for (const { app, scenario, c, results } of samples.values()) {
      const rounds = results.map((result) => baselines.get(result) ?? [result]);
      const byScenario = throughput[app] ?? {};
      const figure = throughputFigure(results, rounds);
      // Against itself the baseline's ratios are 1 by definition.
      if (app === trivial.key) Object.assign(figure, { rpsRatio: 1, p99Ratio: 1 });
      byScenario[scenario] = { ...byScenario[scenario], [c]: figure };
      throughput[app] = byScenario;
    }

    const loadAfter = machineLoad();
    const results: Results = {
      generatedAt: new Date().toISOString(),
      commit: gitCommit(),
      machine: { cpus: loadBefore.cpus, loadBefore: loadBefore.load1, loadAfter: loadAfter.load1, node: process.version },
      config: { runs: RUNS, durationS: DURATION, concurrency: CONCURRENCY, memory: MEMORY, sseSessions: SSE_SESSIONS },
      wallSeconds: (Date.now() - started) / 1000,
      apps: apps.map((app) => ({ key: app.key, name: app.name, kind: app.kind, credential: app.credential })),
      throughput,
      startupMs: Object.fromEntries(Object.entries(startup).map(([key, values]) => [key, { median: median(values), runs: values }])),
      bundles,
      views,
      templateBundles,
      memory,
      sse,
    };
    console.log(renderText(results));
    if (WRITE) {
      writeFileSync(join(ROOT, "docs", "benchmarks.json"), `${JSON.stringify(results, null, 2)}\n`);
      writeFileSync(join(ROOT, "docs", "benchmarks.md"), renderMarkdown(results));
      say("wrote docs/benchmarks.json and docs/benchmarks.md");
    }
    say(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; load average now ${loadAfter.load1.toFixed(2)}`);
  } finally {
    await Promise.all([...running.values()].map((instance) => instance.stop().catch(() => {})));
  }
}

/**
 * Each standalone template's bundle, built where a user builds it (installed with npm from the libs as
 * built now, published to a loopback registry), next to the same app built in the monorepo.
 */
async function measureTemplates(): Promise<NonNullable<Results["templateBundles"]>> {
  const measured: NonNullable<Results["templateBundles"]> = {};
  const templates = await publishedTemplates();
  try {
    for (const [template, app] of Object.entries(TEMPLATE_APPS)) {
      say(`template ${template}: npm install from the loopback registry, then its bundle`);
      const project = templates.create(template);
      const installed = await templates.install(project);
      if (installed.status !== 0) throw new Error(`npm install of templates/${template} failed:\n${installed.output.slice(-3000)}`);
      const appDir = join(ROOT, "apps", app);
      measured[template] = {
        app,
        minified: bundleSize(project, true),
        unminified: bundleSize(project, false),
        appMinified: bundleSize(appDir, true, WRANGLER),
      };
    }
  } finally {
    await templates.stop();
  }
  return measured;
}

function gitCommit(): string {
  try {
    return execSync("git rev-parse --short HEAD", { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

if (process.argv.includes("--render-only")) {
  // Regenerates docs/benchmarks.md from docs/benchmarks.json (after a change to the report's text).
  const results = JSON.parse(readFileSync(join(ROOT, "docs", "benchmarks.json"), "utf8")) as Results;
  writeFileSync(join(ROOT, "docs", "benchmarks.md"), renderMarkdown(results));
} else {
  await main();
}
