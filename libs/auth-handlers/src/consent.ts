import {
  AuthorizationError,
  type AuthRequest,
  CimdFetchError,
  type ConsentDescription,
  type OAuthHelpers,
} from "@cloudflare/workers-oauth-provider";
import { escapeHtml, log } from "@repo/mcp-core";
import { errorPage, htmlHeaders, page } from "./html.js";

/** The env an auth handler sees: workers-oauth-provider puts its helpers there. */
export interface ProviderEnv {
  OAUTH_PROVIDER: OAuthHelpers;
}

export type Parsed = { ok: true; request: AuthRequest } | { ok: false; response: Response };

/**
 * Validates an authorization request (client, exact redirect URI, resource) and insists on PKCE
 * with S256 for every client. Errors go back to the client only once its redirect URI is trusted;
 * otherwise they are rendered here with a 400.
 */
export async function parseAuthorization(oauth: OAuthHelpers, request: Request): Promise<Parsed> {
  if (new URL(request.url).searchParams.get("client_id")?.toLowerCase().startsWith("http://")) {
    // The provider only says "Invalid client_id": say what a client developer got wrong.
    const why = "Its client_id is an http:// URL. A Client ID Metadata Document must be served over https.";
    return { ok: false, response: errorPage(400, "This sign-in request cannot continue", why) };
  }
  try {
    const authRequest = await oauth.parseAuthRequest(request);
    if (!authRequest.codeChallenge || authRequest.codeChallengeMethod !== "S256") {
      throw new AuthorizationError("invalid_request", {
        description: "PKCE is required: send code_challenge with code_challenge_method=S256",
        redirectUri: authRequest.redirectUri,
        state: authRequest.state,
        ...(authRequest.issuer && { issuer: authRequest.issuer }),
      });
    }
    return { ok: true, request: authRequest };
  } catch (error) {
    return { ok: false, response: authorizationErrorResponse(error) };
  }
}

/** Maps the provider's errors to a redirect (when safe) or a page; anything else is a bug and rethrown. */
export function authorizationErrorResponse(error: unknown): Response {
  if (error instanceof AuthorizationError) {
    if (error.redirectTo) return new Response(null, { status: 302, headers: { Location: error.redirectTo } });
    return errorPage(400, "This sign-in request cannot continue", error.description);
  }
  if (error instanceof CimdFetchError) {
    log({ event: "oauth_error", error: "invalid_client", status: 400, document: error.metadataUrl, reason: error.detail });
    // The document is public; which one failed and why is what the client's developer needs.
    return errorPage(
      400,
      "This app could not be verified",
      `Its client metadata document ${error.metadataUrl} could not be used: ${error.detail}`,
    );
  }
  throw error;
}

export interface ConsentFormOptions {
  /** Heading line over the form. */
  heading: string;
  /** Extra form fields (already escaped HTML), e.g. the mock sign-in inputs. */
  fields?: string;
  /** A notice shown above the form (already escaped HTML). */
  notice?: string;
  /** An error message to show (plain text). */
  error?: string;
  /** Scopes granted when the client asked for none. */
  defaultScopes: readonly string[];
}

/** The consent form: who is asking, where the tokens go, what they may do; Approve or Deny. */
export function consentPage(details: ConsentDescription, handle: string, options: ConsentFormOptions): string {
  const name = escapeHtml(details.clientName);
  const scopes = details.scope.length > 0 ? details.scope : options.defaultScopes;
  const origin = details.clientDomain
    ? `Published by <strong>${escapeHtml(details.clientDomain)}</strong>.`
    : "This app registered itself; its name is not verified.";
  return page(
    `Authorize ${details.clientName}`,
    `<h1>${escapeHtml(options.heading)}</h1>
${options.notice ?? ""}
<p><strong id="client-name">${name}</strong> wants to access your account. ${origin}</p>
<p>Access will be sent to <strong id="redirect-host">${escapeHtml(details.redirectHost)}</strong>.</p>
${details.redirectIsLoopback ? '<p class="warn">This sends access to an app on your computer. Continue only if you just started signing in from it.</p>' : ""}
<p>It asks for:</p>
<ul class="scopes">${scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code></li>`).join("")}</ul>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ""}
<form method="post">
<input type="hidden" name="handle" value="${escapeHtml(handle)}">
${options.fields ?? ""}
<div class="buttons">
<button type="submit" name="decision" value="deny" formnovalidate>Deny</button>
<button type="submit" name="decision" value="approve" class="primary">Approve</button>
</div>
</form>`,
  );
}

/**
 * Sends the consent page with the headers that bind its handle to this browser and forbid framing.
 * `formTargets` are where the form's POST is redirected: the client's redirect URI (Approve and
 * Deny both end there) and any upstream sign-in page. A browser refuses redirects to anything else.
 */
export function consentResponse(html: string, bindingHeaders: Headers, status = 200, formTargets: readonly string[] = []): Response {
  const headers = htmlHeaders(bindingHeaders, formTargets);
  return new Response(html, { status, headers });
}

/** Deny: the client gets `error=access_denied` (with its state and iss) and never a code. */
export async function deny(oauth: OAuthHelpers, request: Request, handle: string): Promise<Response> {
  try {
    const denied = await oauth.denyConsent(request, handle, { description: "The user denied the request" });
    denied.headers.set("Location", denied.redirectTo);
    return new Response(null, { status: 302, headers: denied.headers });
  } catch (error) {
    return authorizationErrorResponse(error);
  }
}

/**
 * Whether a form POST came from this server's own page. A browser that sends `Sec-Fetch-Site`
 * (every current one) is believed: only `same-origin` passes, so a page on another site, a
 * sibling subdomain or a sandboxed frame cannot post the form even with the binding cookie and the
 * handle. Without it, a foreign `Origin` is refused; `Origin: null` is not, because it is also what
 * a browser sends for this page's own POST under its `Referrer-Policy: no-referrer`. A request with
 * neither header is not from a browser and still needs the cookie and the handle.
 */
function postedFromOwnPage(request: Request): boolean {
  const site = request.headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin";
  const origin = request.headers.get("origin");
  return origin === null || origin === "null" || origin === new URL(request.url).origin;
}

/** Reads the posted consent form; `handle` is the only authorization state it carries. */
export async function readConsentForm(request: Request): Promise<{ handle: string; decision: string; form: FormData } | Response> {
  if (!postedFromOwnPage(request)) {
    await request.body?.cancel().catch(() => {});
    return errorPage(
      403,
      "Cross-site form refused",
      "This consent form was posted from another site. Start signing in again from your app.",
    );
  }
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded") && !type.startsWith("multipart/form-data")) {
    return errorPage(415, "Unsupported form", "Submit the consent form from the sign-in page.");
  }
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return errorPage(400, "Unreadable form", "Submit the consent form from the sign-in page.");
  }
  const handle = form.get("handle");
  const decision = form.get("decision");
  if (typeof handle !== "string" || handle === "" || (decision !== "approve" && decision !== "deny")) {
    return errorPage(
      400,
      "Incomplete form",
      "The consent form was missing its decision or its security token. Start signing in again from your app.",
    );
  }
  return { handle, decision, form };
}
