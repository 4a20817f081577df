import { sha256, type TokenValidator } from "@repo/mcp-core";
import * as z from "zod";

function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/** One configured API key: only the SHA-256 of the key is ever stored. */
export const ApiKeyEntry = z.strictObject({
  label: z
    .string()
    .regex(/^[\w.@-]{1,64}$/, "a label is 1-64 letters, digits or . _ @ -")
    .describe("Who holds the key, for logs"),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, "sha256 is the 64-character hex SHA-256 of the key")
    .transform((hex) => hex.toLowerCase()),
  scopes: z.array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/, "a scope is an OAuth scope token")).optional(),
});
export type ApiKeyEntry = z.output<typeof ApiKeyEntry>;

const ApiKeyList = z
  .array(ApiKeyEntry)
  .min(1, "configure at least one key")
  .refine((keys) => new Set(keys.map((key) => key.label)).size === keys.length, "labels must be unique")
  .refine((keys) => new Set(keys.map((key) => key.sha256)).size === keys.length, "the same key is listed twice");

/** Thrown for configuration an operator must fix; its message names the problem and never a value. */
export class BearerConfigError extends Error {
  override name = "BearerConfigError";
}

/**
 * Parses the API_KEYS secret: a JSON array of `{ label, sha256, scopes? }`. The error names the
 * field at fault and never echoes the configured text.
 */
export function parseApiKeys(json: string | undefined): ApiKeyEntry[] {
  if (!json?.trim()) throw new BearerConfigError("API_KEYS is not set: set it to a JSON array of { label, sha256, scopes? }");
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    // JSON.parse's own message quotes the input; keep the secret out of logs.
    throw new BearerConfigError("API_KEYS is not valid JSON");
  }
  const parsed = ApiKeyList.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BearerConfigError(`API_KEYS is invalid at ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "unknown problem"}`);
  }
  return parsed.data;
}

interface PreparedKey {
  label: string;
  digest: Uint8Array;
  scopes: readonly string[] | undefined;
}

let cached: { json: string; keys: PreparedKey[] } | undefined;

function preparedKeys(json: string | undefined): PreparedKey[] {
  if (cached && cached.json === json) return cached.keys;
  const keys = parseApiKeys(json).map((key) => ({ label: key.label, digest: fromHex(key.sha256), scopes: key.scopes }));
  cached = { json: json ?? "", keys };
  return keys;
}

/**
 * Validates API keys against the configured SHA-256 digests. The presented key is hashed, then
 * compared with every configured digest in constant time (no early exit), so neither the
 * comparison nor the position of a match shows in the timing.
 */
export function apiKeyValidator(apiKeysJson: string | undefined): TokenValidator {
  const keys = preparedKeys(apiKeysJson);
  return async (token) => {
    const digest = await sha256(token);
    let match: PreparedKey | undefined;
    for (const key of keys) {
      if (crypto.subtle.timingSafeEqual(digest, key.digest) && !match) match = key;
    }
    if (!match) return null;
    // A key listed without `scopes` is unrestricted; one listed with `"scopes": []` may call nothing scoped.
    return { kind: "api-key", label: `key:${match.label}`, ...(match.scopes && { scopes: match.scopes }) };
  };
}

/**
 * Validates a user's own backend credential by asking the backend whose it is. `lookUp` resolves
 * to the user, to `null` when the backend says the token is not valid, and throws when the backend
 * cannot answer.
 */
export function backendValidator(lookUp: (token: string) => Promise<{ id: string | number } | null>): TokenValidator {
  return async (token) => {
    const user = await lookUp(token);
    return user ? { kind: "user-token", label: `user:${user.id}` } : null;
  };
}
