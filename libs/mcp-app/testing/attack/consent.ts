import { beforeAll, describe, expect, it } from "vitest";
import type { HeaderMap } from "../http.js";
import { cookieHeader } from "../oauth.js";
import { authorizationUrl, type ClientRegistration, createPkce } from "../oauth-flow.js";
import type { AttackContext } from "./context.js";
import { CALLBACK, notApplicable } from "./shared.js";

/** The consent page: escaping, framing, and its CSRF defences (handle, binding cookie, Origin, replay). */
export function consentCases(ctx: AttackContext): void {
  const { auth, send, remember } = ctx;

  describe("OAuth consent page", () => {
    if (!ctx.oauth) {
      it(`the consent page does not exist: GET /authorize is 404 (not applicable: ${notApplicable(auth)})`, async () => {
        expect((await send("GET /authorize", `${ctx.origin}/authorize?client_id=x`)).response.status).toBe(404);
      });
      return;
    }
    const MARKUP_NAME = `<img src=x onerror=alert(1)>"'&<script>alert(2)</script>`;
    let client: ClientRegistration;
    beforeAll(async () => {
      client = await ctx.register(MARKUP_NAME);
    });

    /** Opens the consent page as a browser would: the page, its handle and its binding cookie. */
    async function consentPage() {
      const url = authorizationUrl(ctx.authServer, {
        clientId: client.client_id,
        redirectUri: CALLBACK,
        state: "s-consent",
        codeChallenge: createPkce().challenge,
        resource: ctx.origin,
      });
      const { response, body } = await send("GET /authorize (consent page)", url);
      expect(response.status).toBe(200);
      const handle = /name="handle" value="([^"]+)"/.exec(body)?.[1] as string;
      expect(handle).toBeTruthy();
      ctx.logOnlySecrets.add(handle);
      return { url, response, body, handle, cookie: cookieHeader(response) };
    }

    const post = (url: URL, form: Record<string, string>, headers: HeaderMap) =>
      send("POST /authorize (consent)", url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ email: "ada@example.com", password: "correct horse", ...form }),
      });

    it("shows a client name with markup escaped, never as markup", async () => {
      const { body } = await consentPage();
      expect(/<strong id="client-name">([^<]*)<\/strong>/.exec(body)?.[1]).toBe(
        "&#60;img src=x onerror=alert(1)&#62;&#34;&#39;&#38;&#60;script&#62;alert(2)&#60;/script&#62;",
      );
      expect(body).not.toContain("<img src=x");
      expect(body).not.toContain("<script>");
    });

    it("refuses to be framed (CSP frame-ancestors 'none', X-Frame-Options DENY) and is not cached", async () => {
      const { response } = await consentPage();
      expect(response.headers.get("content-security-policy")).toMatch(/(^|;\s*)frame-ancestors 'none'(;|$)/);
      expect(response.headers.get("x-frame-options")).toBe("DENY");
      expect(response.headers.get("cache-control")).toBe("no-store");
    });

    it("a consent POST without its CSRF token (the handle): 400, no redirect", async () => {
      const { url, cookie } = await consentPage();
      const { response, body } = await post(url, { decision: "approve" }, { Cookie: cookie, Origin: ctx.origin });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(body).toContain("The consent form was missing its decision or its security token.");
    });

    it("a consent POST from another browser (no binding cookie): 400, no redirect", async () => {
      const { url, handle } = await consentPage();
      const { response, body } = await post(url, { handle, decision: "approve" }, { Origin: ctx.origin });
      expect(response.status).toBe(400);
      expect(response.headers.get("location")).toBeNull();
      expect(body).toContain("This authorization was not started in this browser; start again");
    });

    it.each([
      ["another site", { Origin: "https://attacker.example", "Sec-Fetch-Site": "cross-site" }],
      ["a sandboxed frame (Origin: null)", { Origin: "null", "Sec-Fetch-Site": "cross-site" }],
      ["a sibling subdomain", { Origin: "https://sibling.127.0.0.1.example", "Sec-Fetch-Site": "same-site" }],
      ["another site, from a browser without Sec-Fetch-Site", { Origin: "https://attacker.example" }],
    ])("a cross-site consent POST (%s), even with the cookie and handle: 403, no redirect", async (_, headers) => {
      const { url, cookie, handle } = await consentPage();
      const { response, body } = await post(url, { handle, decision: "approve" }, { Cookie: cookie, ...headers });
      expect(response.status).toBe(403);
      expect(response.headers.get("location")).toBeNull();
      expect(body).toContain("This consent form was posted from another site.");
      // The handle was not spent: the real page can still complete.
      const { response: real } = await post(url, { handle, decision: "deny" }, { Cookie: cookie, Origin: ctx.origin });
      expect(real.status).toBe(302);
    });

    it("a replayed consent POST: the first (sent as a browser sends it) is honoured, the replay is 400 with no redirect", async () => {
      const { url, cookie, handle } = await consentPage();
      // Under the page's Referrer-Policy: no-referrer, Chromium sends its own form's POST with Origin: null.
      const browser = { Cookie: cookie, Origin: "null", "Sec-Fetch-Site": "same-origin" };
      const first = await post(url, { handle, decision: "approve" }, browser);
      expect(first.response.status).toBe(302);
      remember(new URL(first.response.headers.get("location") as string).searchParams.get("code"));
      const replay = await post(url, { handle, decision: "approve" }, browser);
      expect(replay.response.status).toBe(400);
      expect(replay.response.headers.get("location")).toBeNull();
      expect(replay.body).toContain("This authorization expired or was already used; start again");
    });
  });
}
