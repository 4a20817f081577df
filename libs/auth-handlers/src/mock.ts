import { escapeHtml, sha256Hex } from "@repo/mcp-core";
import * as z from "zod";
import {
  authorizationErrorResponse,
  consentPage,
  consentResponse,
  deny,
  type ProviderEnv,
  parseAuthorization,
  readConsentForm,
} from "./consent.js";
import { errorPage } from "./html.js";

/** What a mock sign-in stores on the grant; the MCP server reads it back, validated, as the caller's props. */
export const MockProps = z.object({
  userId: z.string().min(1),
  email: z.email(),
  name: z.string(),
});
export type MockProps = z.infer<typeof MockProps>;

const Credentials = z.object({
  email: z.email({ message: "Enter a valid email address." }).max(254),
  password: z.string().min(1, { message: "Enter a password (the mock accepts any)." }).max(1024),
});

/**
 * The mock user's id: opaque and stable, never the email. The provider puts the user id at the
 * front of every authorization code and token, which travel through browser history, client logs
 * and proxies; the email stays in the grant's (encrypted) props, for display. Unkeyed, because the
 * mock has no secret: a guessed email can be confirmed against it, which a mock sign-in that
 * accepts any email does not protect anyway.
 */
export async function mockUserId(email: string): Promise<string> {
  return `mock-${(await sha256Hex(`remote-mcp mock user\0${email.toLowerCase()}`)).slice(0, 24)}`;
}

const NOTICE = `<p class="notice"><strong>Mock sign-in.</strong> This demo accepts any well-formed email and any non-empty password. It checks no real account; replace it with a real identity provider before you deploy anything that matters.</p>`;

const FIELDS = (email = "") => `<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required value="${escapeHtml(email)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>`;

export interface MockAuthOptions {
  /** Scopes granted when the client asked for none (usually the resource's required scopes). */
  defaultScopes: readonly string[];
}

/**
 * The mock login + consent page for workers-oauth-provider's /authorize: one form with email,
 * password and Approve/Deny. The pending request is kept server-side by the provider; the form
 * carries only the single-use handle, which is bound to this browser by a cookie.
 */
export function mockAuthHandler(options: MockAuthOptions) {
  return {
    async fetch(request: Request, env: ProviderEnv): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname !== "/authorize") return new Response("Not Found\n", { status: 404 });
      const oauth = env.OAUTH_PROVIDER;
      if (request.method !== "GET" && request.method !== "POST") {
        return errorPage(405, "Method not allowed", "Use GET to start signing in.");
      }
      const parsed = await parseAuthorization(oauth, request);
      if (!parsed.ok) return parsed.response;
      const formOptions = { heading: "Sign in to continue", notice: NOTICE, defaultScopes: options.defaultScopes };
      // Approve and Deny both redirect the form's POST to the client's (validated) redirect URI.
      const formTargets = [parsed.request.redirectUri];

      if (request.method === "GET") {
        const details = await oauth.describeConsent(parsed.request);
        const consent = await oauth.beginConsent(parsed.request);
        return consentResponse(
          consentPage(details, consent.handle, { ...formOptions, fields: FIELDS() }),
          consent.headers,
          200,
          formTargets,
        );
      }

      const posted = await readConsentForm(request);
      if (posted instanceof Response) return posted;
      if (posted.decision === "deny") return deny(oauth, request, posted.handle);

      // A missing field reads as empty, so the person sees the field's own message, not a type error.
      const field = (name: string) => {
        const value = posted.form.get(name);
        return typeof value === "string" ? value : "";
      };
      const typedEmail = field("email");
      const credentials = Credentials.safeParse({ email: typedEmail, password: field("password") });
      if (!credentials.success) {
        // The handle is still unused: show the same form again with the message, nothing lost.
        const details = await oauth.describeConsent(parsed.request);
        const error = credentials.error.issues.map((issue) => issue.message).join(" ");
        return consentResponse(
          consentPage(details, posted.handle, { ...formOptions, fields: FIELDS(typedEmail), error }),
          new Headers(),
          400,
          formTargets,
        );
      }
      try {
        // Scopes come from the request stored when the page was shown, never from this POST's URL.
        const approved = await oauth.approveConsent(request, posted.handle);
        const scope = approved.request.scope.length > 0 ? approved.request.scope : [...options.defaultScopes];
        const email = credentials.data.email.toLowerCase();
        const props: MockProps = { userId: await mockUserId(email), email, name: email.split("@")[0] ?? email };
        const { redirectTo } = await oauth.completeAuthorization({
          request: approved.request,
          userId: props.userId,
          metadata: { label: "mock sign-in" },
          scope,
          props,
        });
        approved.headers.set("Location", redirectTo);
        return new Response(null, { status: 302, headers: approved.headers });
      } catch (error) {
        return authorizationErrorResponse(error);
      }
    },
  };
}
