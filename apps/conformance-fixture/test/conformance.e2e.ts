import { type DevServer, startDevServer } from "@repo/mcp-app/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { recordResults } from "./report.js";
import { describeRun, REQUIREMENTS, readBaseline, runSuite, type SuiteRun, unexpected } from "./run-suite.js";

// The whole official suite against the fixture server, once per requirement set; fails on any
// scored scenario that fails outside the baseline, a baseline entry that now passes, or a
// scenario of HELD_TO that does not pass.

/** Scenarios the suite runs without scoring (pending there) that this fixture passes and must go on passing. */
const HELD_TO = ["json-schema-2020-12"];

/**
 * The Tasks extension (SEP-2663): run by the 2026-07-28 set without scoring (an extension); the
 * fixture's task tools run on the apps' task runner (libs/mcp-app task-runner.ts), and all ten pass.
 */
const TASKS_SCENARIOS = [
  "tasks-lifecycle",
  "tasks-capability-negotiation",
  "tasks-wire-fields",
  "tasks-request-state-removal",
  "tasks-mrtr-input",
  "tasks-request-headers",
  "tasks-dispatch-and-envelope",
  "tasks-status-notifications",
  "tasks-required-task-error",
  "tasks-mrtr-composition",
];

const baseline = readBaseline(new URL("../conformance/expected-failures.yml", import.meta.url).pathname);
const runs: SuiteRun[] = [];
let server: DevServer;

beforeAll(async () => {
  server = await startDevServer({ cwd: new URL("..", import.meta.url).pathname });
});

afterAll(async () => {
  await server?.stop();
  if (runs.length > 0) recordResults("conformance-fixture", "every scenario of both requirement sets", baseline, runs);
});

it.each(REQUIREMENTS)(
  "the fixture meets the %s requirement set, but for its expected failures",
  async (requirement) => {
    const run = await runSuite({ url: `${server.origin}/mcp`, requirement, baseline });
    runs.push(run);
    console.log(describeRun("conformance-fixture", run));
    expect(run.scenarios.length).toBeGreaterThan(20);
    expect(unexpected(run).map((outcome) => outcome.scenario)).toEqual([]);
    const held = requirement === "2026-07-28" ? [...HELD_TO, ...TASKS_SCENARIOS] : HELD_TO;
    for (const scenario of held) {
      expect(run.scenarios.find((outcome) => outcome.scenario === scenario)?.verdict, `${scenario} (not scored)`).toBe("passed");
    }
    expect(run.exitCode, run.output.slice(-3000)).toBe(0);
  },
  240_000,
);
