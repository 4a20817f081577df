import { describe, expect, it } from "vitest";
import type { HeaderMap } from "../http.js";
import type { AttackContext } from "./context.js";
import { bearer, notApplicable, PROTOCOL, RATE_LIMIT_IPS } from "./shared.js";

/** The limits wrangler.jsonc binds, proved exactly: the limit served, then 429 with Retry-After, others unaffected. */
export function rateLimitCases(ctx: AttackContext): void {
  const { auth, oauth, limits, send, expectNormalCall } = ctx;

  describe("rate limits", () => {
    const window = () => Math.floor(Date.now() / 60_000);

    /**
     * Sends `count` requests, 16 at a time, and returns their statuses, the first 429 and its body.
     * Windows are 60 s and aligned to the clock: when one ends during the burst, the burst is run
     * once more with a fresh key (`attempt` 1), so the count stays exact without waiting.
     */
    async function burst(count: number, request: (attempt: number) => Promise<Response>) {
      for (let attempt = 0; ; attempt++) {
        const started = window();
        const statuses: number[] = [];
        let refused: { response: Response; body: string } | undefined;
        for (let sent = 0; sent < count; sent += 16) {
          const responses = await Promise.all(Array.from({ length: Math.min(16, count - sent) }, () => request(attempt)));
          for (const response of responses) {
            statuses.push(response.status);
            const body = await response.text();
            if (response.status === 429 && !refused) {
              refused = { response, body };
              ctx.bodies.push({ what: "429", body });
            }
          }
        }
        if (window() === started || attempt === 1) return { statuses, refused };
      }
    }

    it(`MCP calls: ${limits.mcp ?? "no"} per minute per ${auth.style === "public" ? "client IP" : "client and user"}, then 429 with Retry-After; others unaffected`, async () => {
      expect(limits.mcp, "wrangler.jsonc binds MCP_RATE_LIMITER").toBeGreaterThan(0);
      const limit = limits.mcp as number;
      const callers: HeaderMap[] = [];
      for (const attempt of [0, 1]) {
        callers[attempt] =
          auth.style === "public"
            ? { "CF-Connecting-IP": `${RATE_LIMIT_IPS.mcp}${attempt}` }
            : auth.style === "bearer"
              ? bearer(attempt === 0 ? auth.rateLimitToken : auth.unscopedToken)
              : bearer((await ctx.signedIn(`rate limited client ${attempt}`)).tokens.access_token);
      }
      const { statuses, refused } = await burst(limit + 3, (attempt) =>
        fetch(`${ctx.origin}/mcp`, {
          method: "POST",
          headers: {
            ...callers[attempt],
            "Content-Type": "application/json",
            Accept: "application/json, text/event-stream",
            "MCP-Protocol-Version": PROTOCOL,
          },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
        }),
      );
      expect(statuses.filter((status) => status === 200)).toHaveLength(limit);
      expect(statuses.filter((status) => status === 429)).toHaveLength(3);
      expect(refused?.response.headers.get("retry-after")).toBe("60");
      expect(JSON.parse(refused?.body ?? "")).toEqual({
        jsonrpc: "2.0",
        id: null,
        error: { code: -32000, message: "Too Many Requests: slow down and retry after 60 seconds." },
      });
      // Another caller (the suite's own credentials, another IP on a public app) is not limited.
      await expectNormalCall(auth.style === "public" ? { "CF-Connecting-IP": "198.51.100.99" } : ctx.credentials);
    });

    const preauth = auth.style === "public" ? "MCP_RATE_LIMITER" : "PREAUTH_RATE_LIMITER";
    it(
      auth.style === "public"
        ? `per network: ${limits.mcp ?? "no"} MCP requests per minute for all of an IPv6 /64 (a public app knows no caller), then 429; other networks unaffected`
        : `before authentication: ${limits.preauth ?? "no"} requests per minute per network (an IPv6 /64), failed sign-ins included, then 429; other networks unaffected`,
      async () => {
        const limit = auth.style === "public" ? limits.mcp : limits.preauth;
        expect(limit, `wrangler.jsonc binds ${preauth}`).toBeGreaterThan(0);
        // Every request from another address of one /64 (2001:db8:a<attempt>::/64), each with a credential
        // that fails (none on a public app): the budget is spent before anyone is known.
        let sent = 0;
        const { statuses, refused } = await burst((limit as number) + 2, (attempt) =>
          fetch(`${ctx.origin}/mcp`, {
            method: "POST",
            headers: {
              "CF-Connecting-IP": `2001:db8:a${attempt}::${(++sent).toString(16)}`,
              ...(auth.style === "public" ? {} : bearer(`attack-not-a-token-${sent}`)),
              "Content-Type": "application/json",
              Accept: "application/json, text/event-stream",
              "MCP-Protocol-Version": PROTOCOL,
            },
            body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
          }),
        );
        expect(statuses.filter((status) => status === (auth.style === "public" ? 200 : 401))).toHaveLength(limit as number);
        expect(statuses.filter((status) => status === 429)).toHaveLength(2);
        expect(refused?.response.headers.get("retry-after")).toBe("60");
        // Another network is not limited.
        await expectNormalCall({ ...ctx.credentials, "CF-Connecting-IP": "2001:db8:b0::1" });
      },
    );

    const endpoints = ["register", "token", "authorize"] as const;
    if (!oauth) {
      it.each(endpoints)(`/%s per IP (not applicable: ${notApplicable(auth)}; the endpoint is 404)`, async (endpoint) => {
        expect((await send(`POST /${endpoint}`, `${ctx.origin}/${endpoint}`, { method: "POST" })).response.status).toBe(404);
      });
      return;
    }

    it.each(endpoints)(
      `/%s: ${limits.oauth ?? "no"} per minute per IP, then 429 with Retry-After; other IPs unaffected`,
      async (endpoint) => {
        expect(limits.oauth, "wrangler.jsonc binds OAUTH_RATE_LIMITER").toBeGreaterThan(0);
        const limit = limits.oauth as number;
        // Requests the endpoint refuses cheaply (nothing is stored), so only the counter is exercised.
        const request = (from: string) =>
          endpoint === "authorize"
            ? fetch(`${ctx.origin}/authorize?client_id=attack-unknown`, { redirect: "manual", headers: { "CF-Connecting-IP": from } })
            : fetch(`${ctx.origin}/${endpoint}`, {
                method: "POST",
                headers: {
                  "CF-Connecting-IP": from,
                  "Content-Type": endpoint === "token" ? "application/x-www-form-urlencoded" : "application/json",
                },
                body: endpoint === "token" ? "grant_type=refresh_token&refresh_token=x:y:z&client_id=attack-unknown" : "{}",
              });
        const { statuses, refused } = await burst(limit + 2, (attempt) => request(`${RATE_LIMIT_IPS[endpoint]}${attempt}`));
        expect(statuses.filter((status) => status === 429)).toHaveLength(2);
        expect(refused?.response.headers.get("retry-after")).toBe("60");
        expect(JSON.parse(refused?.body ?? "")).toEqual({
          error: "rate_limited",
          error_description: "Too Many Requests: slow down and retry after 60 seconds.",
        });
        const other = await request("198.51.100.98");
        expect(other.status).not.toBe(429);
        await other.body?.cancel();
      },
    );
  });
}
