/**
 * Bounds on dynamic client registration (RFC 7591), checked before workers-oauth-provider stores
 * anything: its own checks cap no field, so a client could store a 900 KB name (shown on the
 * consent page) or thousands of redirect URIs. Refused with `invalid_client_metadata` naming the field.
 */
export const REGISTRATION_LIMITS = { bytes: 16 * 1024, clientName: 200, redirectUris: 10, uriLength: 2048 } as const;

const refuse = (description: string) =>
  Response.json(
    { error: "invalid_client_metadata", error_description: description },
    { status: 400, headers: { "Cache-Control": "no-store" } },
  );

/** The registration request to hand the provider, or the 400 that refuses it. */
export async function boundedRegistration(request: Request): Promise<Request | Response> {
  const tooLarge = `the registration is larger than ${REGISTRATION_LIMITS.bytes} bytes`;
  if (Number(request.headers.get("content-length") ?? 0) > REGISTRATION_LIMITS.bytes) return refuse(tooLarge);
  const text = await request.text();
  if (new TextEncoder().encode(text).byteLength > REGISTRATION_LIMITS.bytes) return refuse(tooLarge);
  let metadata: unknown;
  try {
    metadata = JSON.parse(text);
  } catch {
    metadata = undefined; // the provider answers malformed JSON itself
  }
  const problem = registrationProblem(metadata);
  return problem ? refuse(problem) : new Request(request, { body: text });
}

/**
 * What a client's metadata breaks of {@link REGISTRATION_LIMITS} (beyond the size), or undefined:
 * the same bounds for a registration and for a Client ID Metadata Document (cimd.ts).
 */
export function registrationProblem(metadata: unknown): string | undefined {
  if (!metadata || typeof metadata !== "object" || Array.isArray(metadata)) return undefined;
  const { client_name: name, redirect_uris: uris } = metadata as Record<string, unknown>;
  if (typeof name === "string" && name.length > REGISTRATION_LIMITS.clientName) {
    return `client_name is longer than ${REGISTRATION_LIMITS.clientName} characters`;
  }
  if (Array.isArray(uris)) {
    if (uris.length > REGISTRATION_LIMITS.redirectUris) return `redirect_uris lists more than ${REGISTRATION_LIMITS.redirectUris} URIs`;
    const long = uris.findIndex((uri) => typeof uri === "string" && uri.length > REGISTRATION_LIMITS.uriLength);
    if (long >= 0) return `redirect_uris[${long}] is longer than ${REGISTRATION_LIMITS.uriLength} characters`;
  }
  return undefined;
}
