import { sha256Hex } from "@repo/mcp-core";

/**
 * A short per-isolate cache of successful access-token validations, so an OAuth app does not read
 * KV, hash and decrypt the grant on every MCP call of a client that calls many times a second.
 *
 * The bound (also in SECURITY.md, "Token validation cache"):
 * - an entry lives at most `ttlMs` (default 30 s, at most 60 s; TOKEN_CACHE_TTL_SECONDS, 0 turns
 *   the cache off) and never past the token's own expiry;
 * - it is keyed by the SHA-256 of the token (the provider's own token id), never the token, and
 *   bound to the resource it was validated for;
 * - only successful validations are cached: a refused, expired or failed check is asked again;
 * - at most `maxEntries` entries (least recently used go first);
 * - a revocation that lands in this isolate (the /token revocation endpoint, grant revocation by
 *   code replay, refresh-token reuse, a new sign-in, client deletion) evicts at once: every delete
 *   of a `token:` or `grant:` record in OAUTH_KV passes through `evictKvKey`, and a validation
 *   that was in flight across a revocation is not cached.
 * A revocation that lands in another isolate is seen here within `ttlMs`; production KV itself
 * takes up to about a minute to show a delete in every location.
 */

/** What a successful validation returned (OAuthAuthorizationServer.validateToken's result). */
export interface TokenValidation {
  props: unknown;
  audience: string;
  /** Seconds since the epoch. A validation without one is never cached. */
  expiresAt?: number;
  scope?: string[];
  userId?: string;
  clientId?: string;
}

export const DEFAULT_TOKEN_CACHE_TTL_MS = 30_000;
export const MAX_TOKEN_CACHE_TTL_MS = 60_000;
export const DEFAULT_TOKEN_CACHE_ENTRIES = 1000;

interface Entry<V> {
  validation: V;
  resource: string;
  /** `${userId}:${grantId}`, for grant revocation. */
  grant: string;
  /** Milliseconds since the epoch after which the entry is not used. */
  until: number;
}

export interface TokenCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** The TTL configured by TOKEN_CACHE_TTL_SECONDS: unset → default, 0 → off, clamped to the maximum. */
export function tokenCacheTtlMs(configured: string | undefined): number {
  if (configured === undefined || configured.trim() === "") return DEFAULT_TOKEN_CACHE_TTL_MS;
  const seconds = Number(configured);
  if (!Number.isFinite(seconds) || seconds <= 0) return 0;
  return Math.min(seconds * 1000, MAX_TOKEN_CACHE_TTL_MS);
}

/** The SHA-256 of a token as lowercase hex: the key (workers-oauth-provider's token id is the same digest). */
export const tokenKey: (token: string) => Promise<string> = sha256Hex;

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export class TokenCache<V extends TokenValidation = TokenValidation> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Bumped by every eviction: a validation that started before one is not cached. */
  private revocations = 0;

  constructor(options: TokenCacheOptions = {}) {
    this.ttlMs = Math.min(Math.max(options.ttlMs ?? DEFAULT_TOKEN_CACHE_TTL_MS, 0), MAX_TOKEN_CACHE_TTL_MS);
    this.maxEntries = Math.max(options.maxEntries ?? DEFAULT_TOKEN_CACHE_ENTRIES, 0);
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  /** A marker to pass to `set`: the cache refuses the result if a revocation landed since. */
  get epoch(): number {
    return this.revocations;
  }

  /** The cached validation of this token for this resource, if it is still fresh. */
  get(key: string, resource: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    if (entry.resource !== resource) return undefined;
    // Least recently used goes first when the cache is full.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.validation;
  }

  /** Caches a successful validation; returns whether it did. */
  set(key: string, resource: string, grant: string, validation: V, epoch: number): boolean {
    const now = this.now();
    if (this.ttlMs <= 0 || this.maxEntries <= 0 || epoch !== this.revocations) return false;
    if (typeof validation.expiresAt !== "number" || validation.expiresAt * 1000 <= now) return false;
    const until = Math.min(now + this.ttlMs, validation.expiresAt * 1000);
    this.entries.delete(key);
    this.entries.set(key, { validation: deepFreeze(validation), resource, grant, until });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return true;
  }

  evictToken(key: string): void {
    this.revocations += 1;
    this.entries.delete(key);
  }

  evictGrant(userId: string, grantId: string): void {
    this.revocations += 1;
    const grant = `${userId}:${grantId}`;
    for (const [key, entry] of this.entries) if (entry.grant === grant) this.entries.delete(key);
  }

  /** Evicts whatever a deleted OAUTH_KV record (`token:u:g:id`, `grant:u:g`) stood for. */
  evictKvKey(kvKey: string): void {
    const [kind, userId, grantId, id] = kvKey.split(":");
    if (kind === "token" && id !== undefined) this.evictToken(id);
    else if (kind === "grant" && userId !== undefined && grantId !== undefined) this.evictGrant(userId, grantId);
  }

  clear(): void {
    this.revocations += 1;
    this.entries.clear();
  }
}

/**
 * Wraps a token validator (resource, token) → validation | null with the cache. Throws and `null`
 * pass through uncached. Tokens not in the provider's `userId:grantId:secret` form are not cached.
 */
export function cachingValidator<V extends TokenValidation>(
  cache: TokenCache<V>,
  validate: (resource: string, token: string) => Promise<V | null>,
): (resource: string, token: string) => Promise<V | null> {
  return async (resource, token) => {
    const parts = token.split(":");
    if (parts.length !== 3) return validate(resource, token);
    const key = await tokenKey(token);
    const hit = cache.get(key, resource);
    if (hit) return hit;
    const epoch = cache.epoch;
    const validation = await validate(resource, token);
    if (validation) cache.set(key, resource, `${parts[0]}:${parts[1]}`, validation, epoch);
    return validation;
  };
}

/** OAUTH_KV as the provider sees it, with every delete also evicting what it revokes from the cache. */
export function evictingKv(kv: KVNamespace, cache: TokenCache<TokenValidation>): KVNamespace {
  return new Proxy(kv, {
    get(target, property) {
      if (property === "delete") {
        return async (key: string) => {
          cache.evictKvKey(key);
          try {
            return await target.delete(key);
          } finally {
            // A validation that read the record before the delete finished is refused by the epoch.
            cache.evictKvKey(key);
          }
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
