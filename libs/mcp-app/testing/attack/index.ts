import { afterAll, afterEach, beforeAll, describe } from "vitest";
import { printServerLogOnFailure } from "../failures.js";
import { authorizationCases } from "./authorization.js";
import { consentCases } from "./consent.js";
import { AttackContext } from "./context.js";
import { credentialCases } from "./credentials.js";
import type { AttackOptions } from "./options.js";
import { rateLimitCases } from "./rate-limits.js";
import { scopeCases } from "./scopes.js";
import { secretsAndLogCases } from "./secrets-and-logs.js";
import { durabilityCases } from "./sessions.js";
import { tokenCases } from "./tokens.js";
import { transportCases } from "./transport.js";
import { viewCases } from "./views.js";

export type { AttackAuth, AttackOptions, AttackServer } from "./options.js";

/**
 * Registers the attack suite for one app: what a hostile or broken client can send it (OAuth abuse,
 * resource-endpoint credentials, transport abuse, scopes, rate limits, secrets in bodies and logs, a
 * restart in the middle of a client's work), each case with its exact outcome, run against the real
 * app. Cases that do not apply to an app's auth style are still tests, named "(not applicable: ...)",
 * asserting what the app does instead. Every case ends with the app still answering a normal call.
 */
export function attackSuite(options: AttackOptions): void {
  const ctx = new AttackContext(options);

  describe(`${options.name}: attack suite`, () => {
    beforeAll(ctx.start);
    afterAll(async () => {
      await ctx.server?.stop();
      await ctx.receiver?.close();
    });
    printServerLogOnFailure(() => ctx.server);
    afterEach(async () => {
      // Whatever the case sent, the app still serves a normal call.
      if (ctx.server) await ctx.expectNormalCall();
    });

    authorizationCases(ctx);
    consentCases(ctx);
    tokenCases(ctx);
    credentialCases(ctx);
    scopeCases(ctx);
    viewCases(ctx);
    transportCases(ctx);
    rateLimitCases(ctx);
    durabilityCases(ctx);
    // Last: they read everything the cases above produced.
    secretsAndLogCases(ctx);
  });
}
