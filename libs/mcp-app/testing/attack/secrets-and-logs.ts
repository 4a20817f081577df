import { beforeAll, describe, expect, it } from "vitest";
import { loggedRequests } from "../logs.js";
import type { OtlpReceiver } from "../otlp-receiver.js";
import type { AttackContext } from "./context.js";
import type { AttackServer } from "./options.js";
import { PROBE } from "./shared.js";

/** Every attribute key the tracer may set (libs/mcp-core/src/trace.ts and its callers): anything else is a leak. */
const SPAN_ATTRIBUTES = [
  "http.request.method",
  "url.path",
  "http.response.status_code",
  "server.address",
  "error.type",
  "mcp.method.name",
  "mcp.outcome",
  "mcp.client.id",
  "mcp.auth.style",
  "gen_ai.tool.name",
];

/** Run last: these read every body and log line the cases before them produced. */
export function secretsAndLogCases(ctx: AttackContext): void {
  const { auth, secrets, logOnlySecrets, bodies } = ctx;

  describe("secrets and logs", () => {
    // The app's own secrets, read now: an upstream issues its tokens while the cases run.
    beforeAll(() => {
      for (const secret of ctx.options.secrets?.() ?? []) ctx.remember(secret);
    });

    it("no error body the suite received carries a secret or a stack trace", () => {
      // A public app has no credentials; its bodies are still checked for stack traces.
      if (auth.style !== "public") expect(secrets.size).toBeGreaterThan(0);
      for (const { what, body } of bodies) {
        for (const secret of secrets) expect(body.includes(secret), `${what} shows a secret`).toBe(false);
        expect(body, what).not.toMatch(/\n\s+at \S+ \(|\bat .+\.(?:js|ts):\d+:\d+/);
      }
    });

    it("the app's log has every secret the suite used redacted: no token, code, verifier, client secret or handle", () => {
      const output = (ctx.server as AttackServer).logs();
      for (const secret of [...secrets, ...logOnlySecrets])
        expect(output.includes(secret), `the log shows a secret (${secret.slice(0, 4)}…)`).toBe(false);
    });

    it("the spans the app exported carry no secret, only the attributes the tracer sets, and one trace per logged request", async () => {
      const receiver = ctx.receiver as OtlpReceiver;
      const requests = loggedRequests((ctx.server as AttackServer).logs());
      const traced = new Set(requests.map((line) => line.trace_id));
      // Exports run after each response, in waitUntil: wait for most of the logged requests' traces.
      const spans = await receiver.waitFor((received) => new Set(received.map((span) => span.traceId)).size >= traced.size * 0.9, 20_000);
      const raw = receiver.bodies().join("\n");
      for (const secret of [...secrets, ...logOnlySecrets])
        expect(raw.includes(secret), `a span shows a secret (${secret.slice(0, 4)}…)`).toBe(false);
      for (const span of spans) {
        for (const key of Object.keys(span.attributes)) expect(SPAN_ATTRIBUTES, `span ${span.name} has attribute ${key}`).toContain(key);
        expect(span.end >= span.start, span.name).toBe(true);
      }
      // Every exported trace is one a log line names: logs and spans of a request join on trace_id.
      const logged = new Set(requests.map((line) => String(line.trace_id)));
      const roots = spans.filter((span) => span.kind === 2);
      expect(roots.length).toBeGreaterThan(50);
      expect(roots.filter((span) => !logged.has(span.traceId))).toEqual([]);
      // Batched per isolate: far fewer posts than requests.
      expect(receiver.bodies().length).toBeLessThan(roots.length / 2);
      expect(spans.some((span) => span.name === "authenticate")).toBe(true);
      expect(spans.some((span) => span.name === `tools/call ${PROBE.name}` && span.attributes["mcp.outcome"] === "ok")).toBe(true);
    });

    it(
      ctx.oauth
        ? "OAuth errors are logged with their code readable (invalid_grant, invalid_token), and refresh-token reuse as its own event"
        : `OAuth error lines (not applicable: ${auth.style === "public" ? "public app" : "bearer app"}, no authorization server)`,
      () => {
        const lines = (ctx.server as AttackServer)
          .logs()
          .split("\n")
          .flatMap((line) => {
            try {
              return [JSON.parse(line.slice(line.indexOf("{"))) as Record<string, unknown>];
            } catch {
              return [];
            }
          });
        const errors = lines.filter((line) => line.event === "oauth_error").map((line) => line.error);
        if (!ctx.oauth) {
          expect(errors).toEqual([]);
          return;
        }
        expect(errors).toEqual(expect.arrayContaining(["invalid_grant", "invalid_token"]));
        expect(errors).not.toContain("[redacted]");
        expect(lines.filter((line) => line.event === "refresh_token_reuse").length).toBeGreaterThanOrEqual(3);
      },
    );

    it("logs one structured JSON line per request: app, method, route, status, latency; client, user, tool and outcome where known", () => {
      const requests = loggedRequests((ctx.server as AttackServer).logs());
      expect(requests.length).toBeGreaterThan(50);
      for (const line of requests) {
        expect(line).toMatchObject({
          app: expect.any(String),
          method: expect.any(String),
          route: expect.any(String),
          status: expect.any(Number),
          ms: expect.any(Number),
        });
        expect(String(line.route)).not.toContain("?");
      }
      const calls = requests.filter((line) => line.route === "/mcp" && line.tool === PROBE.name && line.status === 200);
      // Every call has an outcome: arguments the schema refused are tool errors (the model can fix
      // them), a malformed call (arguments not an object) a protocol error.
      const outcomes = calls.map((line) => line.outcome);
      expect(outcomes.filter((outcome) => outcome === "ok").length).toBeGreaterThan(20);
      expect(outcomes).toContain("tool_error");
      expect(outcomes).toContain("protocol_error");
      expect(outcomes.every((outcome) => outcome === "ok" || outcome === "tool_error" || outcome === "protocol_error")).toBe(true);
      const unknownTool = requests.filter((line) => line.route === "/mcp" && line.tool === "subtract_all");
      expect(unknownTool.length).toBeGreaterThan(0);
      expect(unknownTool.every((line) => line.outcome === "protocol_error")).toBe(true);
      expect(calls.every((line) => typeof line.trace_id === "string" && typeof line.span_id === "string")).toBe(true);
      if (auth.style !== "public") {
        expect(calls.every((line) => typeof line.clientId === "string" && typeof line.userId === "string")).toBe(true);
        const refused = requests.filter((line) => line.status === 403 && line.outcome === "scope_refused");
        expect(refused.map((line) => line.route)).toEqual(expect.arrayContaining(["/mcp", "/sse/message"]));
      }
      expect(requests.filter((line) => line.status === 429).every((line) => line.outcome === "rate_limited")).toBe(true);
    });
  });
}
