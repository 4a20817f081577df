import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

/**
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance, the CLI, as a
 * black box) against a server URL and reads its per-check results back, judged against an
 * expected-failures baseline exactly as the CLI judges them.
 */

export type Requirement = "2025-11-25" | "2026-07-28";
export const REQUIREMENTS: readonly Requirement[] = ["2025-11-25", "2026-07-28"];

const packageDir = fileURLToPath(new URL("../node_modules/@modelcontextprotocol/conformance/", import.meta.url));
const cli = join(packageDir, "dist/index.js");
export const SUITE_VERSION: string = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")).version;

/**
 * Scenarios that need no fixture tools, resources or prompts: what every real app must pass.
 * Each runs at the wire of its requirement set.
 */
export const FIXTURE_FREE: Readonly<Record<Requirement, readonly string[]>> = {
  "2025-11-25": ["server-initialize", "ping", "logging-set-level", "tools-list", "dns-rebinding-protection", "server-sse-multiple-streams"],
  "2026-07-28": [
    "server-stateless",
    "tools-list",
    "caching",
    "dns-rebinding-protection",
    "http-header-validation",
    "sep-2164-resource-not-found",
    "server-sse-multiple-streams",
    "input-required-result-unsupported-methods",
  ],
};

interface Check {
  id: string;
  status: "SUCCESS" | "FAILURE" | "WARNING" | "SKIPPED" | "INFO";
  errorMessage?: string;
}

export interface CheckFailure {
  check: string;
  status: "FAILURE" | "WARNING";
  message: string;
  /** Excused by the baseline. */
  expected: boolean;
}

export type Verdict = "passed" | "failed" | "expected-failure" | "stale";

export interface ScenarioOutcome {
  scenario: string;
  verdict: Verdict;
  /** False for what the requirement set runs without counting (extensions, pending, added later). */
  scored: boolean;
  notScoredReason?: string;
  /** The baseline's reason, when the scenario (or one of its checks) is an expected failure. */
  reason?: string;
  checks: { passed: number; failed: number; warnings: number; skipped: number };
  failures: CheckFailure[];
}

export interface SuiteRun {
  requirement: Requirement;
  exitCode: number;
  ms: number;
  scenarios: ScenarioOutcome[];
  /** The CLI's own output, for diagnosing a failure. */
  output: string;
}

export interface Baseline {
  /** `scenario` or `scenario:check-id` → the reason it is expected to fail. */
  entries: Map<string, string>;
  path: string;
}

/** Reads an expected-failures file; every entry must carry its reason as a trailing `# comment`. */
export function readBaseline(path: string): Baseline {
  const text = readFileSync(path, "utf8");
  const listed: unknown = parse(text)?.server ?? [];
  if (!Array.isArray(listed) || !listed.every((entry) => typeof entry === "string")) {
    throw new Error(`${path}: 'server' must be a list of "scenario" or "scenario:check-id" strings`);
  }
  const reasons = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^\s*-\s*([\w./:-]+)\s*#\s*(.+?)\s*$/.exec(line);
    if (match?.[1] && match[2]) reasons.set(match[1], match[2]);
  }
  const entries = new Map<string, string>();
  for (const entry of listed as string[]) {
    const reason = reasons.get(entry);
    if (!reason) throw new Error(`${path}: expected failure '${entry}' has no reason; write it as a trailing # comment`);
    entries.set(entry, reason);
  }
  return { entries, path };
}

/** What a requirement set runs without scoring, and why (from the suite's own requirements file). */
export function notScored(requirement: Requirement): Map<string, string> {
  const set = parse(readFileSync(join(packageDir, "requirements", `${requirement}.yaml`), "utf8")) as {
    not_scored?: Array<{ scenario: string; leg: string; reason: string }>;
  };
  return new Map((set.not_scored ?? []).filter((entry) => entry.leg === "server").map((entry) => [entry.scenario, entry.reason]));
}

function run(args: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? 1, output });
    });
  });
}

export interface RunOptions {
  /** The MCP endpoint, e.g. http://127.0.0.1:8799/mcp. */
  url: string;
  requirement: Requirement;
  /** Run these scenarios (at the requirement set's wire) instead of the whole set. */
  scenarios?: readonly string[];
  baseline?: Baseline;
  timeoutMs?: number;
}

/** Runs a requirement set (or some of its scenarios) and judges every scenario against the baseline. */
export async function runSuite(options: RunOptions): Promise<SuiteRun> {
  const outDir = mkdtempSync(join(tmpdir(), "mcp-conformance-"));
  const started = Date.now();
  const common = ["--url", options.url, "-o", outDir, ...(options.baseline ? ["--expected-failures", options.baseline.path] : [])];
  const timeoutMs = options.timeoutMs ?? 180_000;
  let exitCode = 0;
  let output = "";
  try {
    if (options.scenarios) {
      for (const scenario of options.scenarios) {
        const result = await run(["server", ...common, "--scenario", scenario, "--spec-version", options.requirement], timeoutMs);
        exitCode = Math.max(exitCode, result.exitCode);
        output += result.output;
      }
    } else {
      ({ exitCode, output } = await run(["server", ...common, "--requirements", options.requirement], timeoutMs));
    }
    const skipped = notScored(options.requirement);
    const scenarios = readdirSync(outDir)
      .sort()
      .map((dir) => judge(dir, JSON.parse(readFileSync(join(outDir, dir, "checks.json"), "utf8")) as Check[], options.baseline, skipped));
    return { requirement: options.requirement, exitCode, ms: Date.now() - started, scenarios, output };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

function judge(dir: string, checks: Check[], baseline: Baseline | undefined, skipped: Map<string, string>): ScenarioOutcome {
  // Result directories are named server-<scenario>-<ISO timestamp>.
  const scenario = dir.replace(/^server-/, "").replace(/-\d{4}-\d{2}-\d{2}T[\d-]+Z$/, "");
  const wholesale = baseline?.entries.get(scenario);
  const failures: CheckFailure[] = [];
  const seen = new Set<string>();
  for (const check of checks) {
    if (check.status !== "FAILURE" && check.status !== "WARNING") continue;
    // The CLI collapses repeated check ids to one verdict; so do we.
    if (seen.has(check.id)) continue;
    seen.add(check.id);
    const excused = wholesale !== undefined || baseline?.entries.has(`${scenario}:${check.id}`) === true;
    failures.push({ check: check.id, status: check.status, message: check.errorMessage ?? "", expected: excused });
  }
  const count = (status: Check["status"]) => checks.filter((check) => check.status === status).length;
  const reasons = [wholesale, ...failures.map((failure) => baseline?.entries.get(`${scenario}:${failure.check}`))].filter(
    (reason): reason is string => reason !== undefined,
  );
  // A baselined check that now succeeds is stale, like a baselined scenario that passes.
  const staleCheck = checks.some((check) => check.status === "SUCCESS" && baseline?.entries.has(`${scenario}:${check.id}`));
  let verdict: Verdict;
  if (failures.some((failure) => !failure.expected)) verdict = "failed";
  else if (staleCheck || (wholesale !== undefined && failures.length === 0)) verdict = "stale";
  else verdict = failures.length > 0 ? "expected-failure" : "passed";
  const notScoredReason = skipped.get(scenario);
  return {
    scenario,
    verdict,
    scored: notScoredReason === undefined,
    ...(notScoredReason && { notScoredReason }),
    ...(reasons.length > 0 && { reason: [...new Set(reasons)].join("; ") }),
    checks: { passed: count("SUCCESS"), failed: count("FAILURE"), warnings: count("WARNING"), skipped: count("SKIPPED") },
    failures,
  };
}

/** Scenarios that decide conformance and did not meet the baseline: an unexpected failure or a stale entry. */
export function unexpected(run: SuiteRun): ScenarioOutcome[] {
  return run.scenarios.filter((outcome) => outcome.scored && (outcome.verdict === "failed" || outcome.verdict === "stale"));
}

/** One line per scenario that did not simply pass, for test output. */
export function describeRun(label: string, run: SuiteRun): string {
  const lines = [`${label} ${run.requirement}: ${summarize(run)} in ${(run.ms / 1000).toFixed(1)} s (CLI exit ${run.exitCode})`];
  for (const outcome of run.scenarios.filter((entry) => entry.verdict !== "passed")) {
    const scoring = outcome.scored ? "" : ` [not scored: ${outcome.notScoredReason}]`;
    lines.push(`  ${outcome.verdict.padEnd(16)} ${outcome.scenario}${scoring}${outcome.reason ? ` (${outcome.reason})` : ""}`);
    if (outcome.scored && (outcome.verdict === "failed" || outcome.verdict === "stale")) {
      for (const failure of outcome.failures.filter((entry) => !entry.expected)) {
        lines.push(`      ${failure.status} ${failure.check}: ${failure.message.slice(0, 300)}`);
      }
    }
  }
  return lines.join("\n");
}

export interface Counts {
  scored: number;
  passed: number;
  failed: number;
  expectedFailures: number;
  stale: number;
  notScoredPassed: number;
  notScoredFailed: number;
}

export function countRun(run: SuiteRun): Counts {
  const scored = run.scenarios.filter((outcome) => outcome.scored);
  const extra = run.scenarios.filter((outcome) => !outcome.scored);
  const by = (verdict: Verdict) => scored.filter((outcome) => outcome.verdict === verdict).length;
  return {
    scored: scored.length,
    passed: by("passed"),
    failed: by("failed"),
    expectedFailures: by("expected-failure"),
    stale: by("stale"),
    notScoredPassed: extra.filter((outcome) => outcome.verdict === "passed").length,
    notScoredFailed: extra.filter((outcome) => outcome.verdict !== "passed").length,
  };
}

export function summarize(run: SuiteRun): string {
  const c = countRun(run);
  const stale = c.stale > 0 ? `, ${c.stale} stale baseline entries` : "";
  return `${c.passed} passed, ${c.failed} failed, ${c.expectedFailures} expected failures${stale} (of ${c.scored} scored); not scored: ${c.notScoredPassed} passed, ${c.notScoredFailed} failed`;
}
