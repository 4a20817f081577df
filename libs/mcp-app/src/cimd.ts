import { isLoopbackHost } from "@repo/mcp-core";
import { isPublicHost } from "./address.js";
import { parseOrigins } from "./origin.js";
import { registrationProblem } from "./registration.js";

/**
 * Client ID Metadata Documents (CIMD, draft-ietf-oauth-client-id-metadata-document-00, which MCP
 * 2026-07-28 pins): a client's `client_id` is an https URL, and the authorization server fetches
 * the client's metadata from it. workers-oauth-provider does the fetch and the validation
 * (`client_id` equal to the URL, redirect URIs, no secrets, `private_key_jwt` keys, caching by
 * Cache-Control up to a week). It makes that fetch, and the fetch of a document's `jwks_uri`, with
 * the global `fetch` and its own User-Agent, following redirects and trusting the
 * `global_fetch_strictly_public` flag for addresses. This module narrows every such fetch:
 *
 * - https only, to a public host: a loopback, private, link-local or reserved address, or a name
 *   such as `localhost` or `*.internal`, is refused before any connection (local development,
 *   below, excepted for loopback);
 * - no redirects: a 3xx answer fails the fetch, so a document cannot be served from another host
 *   than the one its URL names (the consent page shows that host as the client's identity);
 * - at most {@link CIMD_LIMITS}.bytes, read as a stream, and {@link CIMD_LIMITS}.timeoutMs;
 * - the bounds dynamic registration has (name length, number and length of redirect URIs).
 *
 * A refusal throws, which the provider reports as `CimdFetchError`: the client gets
 * `invalid_client` naming the document and the reason (see oauth.ts, auth-handlers' consent.ts).
 */
export const CIMD_LIMITS = { bytes: 5 * 1024, timeoutMs: 5000 } as const;

/** How workers-oauth-provider's outbound requests identify themselves (its OUTBOUND_USER_AGENT). */
const PROVIDER_USER_AGENT = "workers-oauth-provider/";

/**
 * Loopback documents are fetched only in local development: an app with no PUBLIC_ORIGINS, which
 * serves loopback origins and nothing else (pipeline.ts servedOrigin). A deployed app has
 * PUBLIC_ORIGINS (it answers 421 to every request without them), so it cannot be switched on
 * there; the staging and production configs are tested to refuse loopback documents.
 */
let loopbackDocuments = false;

/** Sets the loopback allowance from the app's config; called for every OAuth request. */
export function applyDocumentPolicy(env: { PUBLIC_ORIGINS?: string }): void {
  loopbackDocuments = parseOrigins(env.PUBLIC_ORIGINS).length === 0;
}

let unpoliced: typeof fetch | undefined;

/** Routes the provider's outbound fetches through {@link fetchDocument}; idempotent. */
export function policeProviderFetches(): void {
  if (unpoliced) return;
  const original = globalThis.fetch;
  unpoliced = original;
  globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    return request.headers.get("user-agent")?.startsWith(PROVIDER_USER_AGENT) ? fetchDocument(request, original) : original(input, init);
  };
}

/** Why a document URL is not fetched, or undefined when it may be. */
export function documentUrlProblem(url: URL, allowLoopback = loopbackDocuments): string | undefined {
  if (url.protocol !== "https:") return `${url.protocol} URLs are not fetched, only https`;
  if (isPublicHost(url.hostname)) return undefined;
  if (allowLoopback && isLoopbackHost(url.hostname)) return undefined;
  return `${url.hostname} is not a public host`;
}

async function fetchDocument(request: Request, fetchOnce: typeof fetch): Promise<Response> {
  const url = new URL(request.url);
  const problem = documentUrlProblem(url);
  if (problem) throw new Error(problem);
  const timeout = AbortSignal.timeout(CIMD_LIMITS.timeoutMs);
  let response: Response;
  try {
    response = await fetchOnce(request, { redirect: "manual", signal: AbortSignal.any([request.signal, timeout]) });
  } catch (error) {
    if (timeout.aborted) throw new Error(`no answer within ${CIMD_LIMITS.timeoutMs / 1000} s`);
    throw error;
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`it answered ${response.status}, a redirect; metadata documents are fetched without following redirects`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => {});
    throw new Error(`it answered HTTP ${response.status}`);
  }
  const bytes = await readAtMost(response, CIMD_LIMITS.bytes, timeout);
  const bounded = registrationProblem(parsedObject(bytes));
  if (bounded) throw new Error(bounded);
  return new Response(bytes, { status: response.status, headers: response.headers });
}

async function readAtMost(response: Response, limit: number, timeout: AbortSignal): Promise<Uint8Array> {
  const tooLarge = `the document is larger than ${limit} bytes`;
  if (Number(response.headers.get("content-length") ?? 0) > limit) {
    await response.body?.cancel().catch(() => {});
    throw new Error(tooLarge);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      if (!reader) break;
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) throw new Error(tooLarge);
      if (timeout.aborted) throw new Error(`no answer within ${CIMD_LIMITS.timeoutMs / 1000} s`);
      chunks.push(value);
    }
  } catch (error) {
    await reader?.cancel().catch(() => {});
    throw error;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** The document as a JSON object, or undefined (the provider reports malformed documents itself). */
function parsedObject(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return undefined;
  }
}
