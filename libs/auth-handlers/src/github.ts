import { AuthorizationError, type AuthRequest, authorizationErrorRedirect, type OAuthHelpers } from "@cloudflare/workers-oauth-provider";
import { escapeHtml, log, sha256 } from "@repo/mcp-core";
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
import { exchangeGitHubCode, fetchGitHubIdentity } from "./github-api.js";
import { type GitHubConfig, type GitHubEnv, readGitHubConfig } from "./github-config.js";
import { errorPage, htmlHeaders, page } from "./html.js";

/** What a GitHub sign-in stores on the grant (encrypted by the provider); tools read it back, validated. */
export const GitHubProps = z.object({
  /** GitHub's numeric user id: the user's identity here (logins can be renamed and re-registered). */
  id: z.number().int().positive(),
  /** For display only. */
  login: z.string().min(1),
  name: z.string(),
  email: z.string().nullable(),
  /** The user's GitHub token, for calls to GitHub on their behalf. Never the MCP token, never shown to the model. */
  accessToken: z.string().min(1),
});
export type GitHubProps = z.infer<typeof GitHubProps>;

export interface GitHubAuthOptions {
  /** Scopes granted to the MCP client when it asked for none (usually the resource's required scopes). */
  defaultScopes: readonly string[];
  /** GitHub OAuth scopes to ask the user for; the default reads the profile and the email addresses. */
  githubScopes?: readonly string[];
}

/** What beginUpstream() keeps server-side until GitHub sends the browser back; never sent to GitHub. */
const UpstreamData = z.object({ verifier: z.string().min(43), redirectUri: z.url() });
type UpstreamData = z.infer<typeof UpstreamData>;

const CALLBACK_PATH = "/callback";

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

async function s256(verifier: string): Promise<string> {
  return base64url(await sha256(verifier));
}

/** One JSON line for operators: why a GitHub sign-in failed. Carries no code, token or secret. */
function logFailure(reason: string): void {
  log({ event: "github_sign_in_failed", reason });
}

function redirect(location: string, headers: Headers): Response {
  headers.set("Location", location);
  return new Response(null, { status: 302, headers });
}

function notConfigured(problems: string[]): Response {
  const items = problems.map((problem) => `<li>${escapeHtml(problem)}</li>`).join("");
  const body = `<h1>GitHub sign-in is not configured</h1>
<p>This server cannot sign anyone in until its operator sets:</p>
<ul>${items}</ul>
<p>Locally: copy <code>.dev.vars.example</code> to <code>.dev.vars</code> and fill it in. Deployed: <code>wrangler secret put NAME</code>.</p>`;
  return new Response(page("GitHub sign-in is not configured", body), { status: 503, headers: htmlHeaders() });
}

/**
 * Sends the browser to GitHub for an authorization the user has approved for this client: a fresh
 * PKCE verifier and the callback URL stay server-side with beginUpstream(), whose `state` is bound
 * to this browser by a cookie, single use, for ten minutes.
 */
async function toGitHub(
  oauth: OAuthHelpers,
  config: GitHubConfig,
  githubScopes: readonly string[],
  request: Request,
  authRequest: AuthRequest,
  headers: Headers,
): Promise<Response> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const data: UpstreamData = { verifier, redirectUri: new URL(CALLBACK_PATH, request.url).href };
  const upstream = await oauth.beginUpstream(authRequest, { data, headers });
  const target = new URL(config.authorizeUrl);
  target.searchParams.set("client_id", config.clientId);
  target.searchParams.set("redirect_uri", data.redirectUri);
  target.searchParams.set("scope", githubScopes.join(" "));
  target.searchParams.set("state", upstream.state);
  target.searchParams.set("code_challenge", await s256(verifier));
  target.searchParams.set("code_challenge_method", "S256");
  return redirect(target.href, upstream.headers);
}

/**
 * GitHub's redirect back: recover the approved request (state and its browser cookie checked by
 * finishUpstream), exchange the code, read the user, and issue the MCP client its code. Every failure
 * after the request is recovered goes back to the client as `access_denied`; before that, the client
 * is unknown and the browser gets a page.
 */
async function callback(oauth: OAuthHelpers, config: GitHubConfig, request: Request): Promise<Response> {
  let resumed: Awaited<ReturnType<typeof oauth.finishUpstream>>;
  try {
    resumed = await oauth.finishUpstream(request);
  } catch (error) {
    if (error instanceof AuthorizationError) return errorPage(400, "This sign-in cannot continue", error.description);
    throw error;
  }
  const { request: original, headers } = resumed;
  const fail = (reason: string, description: string) => {
    logFailure(reason);
    return redirect(authorizationErrorRedirect(original, "access_denied", description), headers);
  };
  const data = UpstreamData.safeParse(resumed.data);
  if (!data.success) return fail("stored upstream data is malformed", "GitHub sign-in failed; start again");

  const params = new URL(request.url).searchParams;
  const upstreamError = params.get("error");
  if (upstreamError === "access_denied") return fail("the user declined at GitHub", "The user declined access at GitHub");
  if (upstreamError) return fail(`GitHub redirected with error ${upstreamError.slice(0, 64)}`, "GitHub sign-in failed");
  const code = params.get("code");
  if (!code) return fail("GitHub redirected without a code", "GitHub sign-in failed");

  const token = await exchangeGitHubCode(config, { code, verifier: data.data.verifier, redirectUri: data.data.redirectUri });
  if (!token.ok) return fail(token.reason, "GitHub sign-in failed: the GitHub authorization could not be completed");
  const identity = await fetchGitHubIdentity(config, token.value);
  if (!identity.ok) return fail(identity.reason, "GitHub sign-in failed: the GitHub profile could not be read");

  const props: GitHubProps = { ...identity.value, accessToken: token.value };
  const { redirectTo } = await oauth.completeAuthorization({
    request: original,
    // The stable numeric id, never the login: a renamed login can be registered by someone else.
    userId: String(props.id),
    metadata: { label: `GitHub ${props.login}` },
    scope: original.scope,
    props,
  });
  return redirect(redirectTo, headers);
}

/**
 * /authorize and /callback for an MCP server that signs users in with GitHub (one GitHub OAuth App
 * for every MCP client). Confused-deputy protection: a client this browser has not approved always
 * gets the consent page before anything goes to GitHub; an approval is remembered in a signed
 * cookie for that client, redirect URI and resource only.
 */
export function githubAuthHandler(options: GitHubAuthOptions) {
  const githubScopes = options.githubScopes ?? ["read:user", "user:email"];
  return {
    async fetch(request: Request, env: ProviderEnv & GitHubEnv): Promise<Response> {
      const url = new URL(request.url);
      if (url.pathname !== "/authorize" && url.pathname !== CALLBACK_PATH) return new Response("Not Found\n", { status: 404 });
      const allowed = url.pathname === CALLBACK_PATH ? ["GET"] : ["GET", "POST"];
      if (!allowed.includes(request.method)) {
        const response = errorPage(405, "Method not allowed", `Use ${allowed.join(" or ")} here.`);
        response.headers.set("Allow", allowed.join(", "));
        return response;
      }
      const configured = readGitHubConfig(env);
      if (!configured.ok) return notConfigured(configured.problems);
      const { config } = configured;
      const oauth = env.OAUTH_PROVIDER;
      if (url.pathname === CALLBACK_PATH) return callback(oauth, config, request);

      const parsed = await parseAuthorization(oauth, request);
      if (!parsed.ok) return parsed.response;
      // A client that asks for no scope gets the defaults, whether consent is asked or remembered.
      const scope = parsed.request.scope.length > 0 ? parsed.request.scope : [...options.defaultScopes];
      const remember = { secret: config.consentSecret };

      if (request.method === "GET") {
        if (await oauth.isConsentRemembered(request, { ...parsed.request, scope }, remember)) {
          return toGitHub(oauth, config, githubScopes, request, { ...parsed.request, scope }, new Headers());
        }
        const details = await oauth.describeConsent(parsed.request);
        const consent = await oauth.beginConsent(parsed.request);
        const host = escapeHtml(new URL(config.authorizeUrl).host);
        const notice = `<p class="notice">Approving sends you to <strong>${host}</strong> to sign in. This server then calls GitHub for you through its own tools; the app never receives your GitHub token.</p>`;
        const html = consentPage(details, consent.handle, { heading: "Sign in with GitHub", notice, defaultScopes: options.defaultScopes });
        // The form's POST is redirected to GitHub (Approve) or to the client (Deny): both must be allowed form targets.
        return consentResponse(html, consent.headers, 200, [parsed.request.redirectUri, config.authorizeUrl]);
      }

      const posted = await readConsentForm(request);
      if (posted instanceof Response) return posted;
      if (posted.decision === "deny") return deny(oauth, request, posted.handle);
      try {
        const approved = await oauth.approveConsent(request, posted.handle, { scope, remember });
        return await toGitHub(oauth, config, githubScopes, request, approved.request, approved.headers);
      } catch (error) {
        return authorizationErrorResponse(error);
      }
    },
  };
}
