import { describe, expect, it, vi } from "vitest";
import {
  cachingValidator,
  DEFAULT_TOKEN_CACHE_TTL_MS,
  evictingKv,
  MAX_TOKEN_CACHE_TTL_MS,
  TokenCache,
  type TokenValidation,
  tokenCacheTtlMs,
  tokenKey,
} from "./token-cache.js";

const RESOURCE = "https://mcp.example";
const TOKEN = "user-1:grant-1:secret-part";
const OTHER = "user-1:grant-2:another-secret";
const START = 1_800_000_000_000;

/** A clock the test moves by hand. */
function clock() {
  let now = START;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const validation = (expiresInS = 3600, props: unknown = { user: "ada" }): TokenValidation => ({
  props,
  audience: RESOURCE,
  expiresAt: Math.floor(START / 1000) + expiresInS,
  scope: ["mcp:tools"],
  userId: "user-1",
  clientId: "client-1",
});

/** A validator that counts its calls and answers what the test says. */
function upstream(answer: () => Promise<TokenValidation | null>) {
  const validate = vi.fn((_resource: string, _token: string) => answer());
  return validate;
}

describe("tokenKey", () => {
  it("is the SHA-256 of the token in hex (the provider's token id), never the token", async () => {
    const key = await tokenKey(TOKEN);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain("secret");
    const expected = [...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(TOKEN)))]
      .map((byte) => byte.toString(16).padStart(2, "0"))
      .join("");
    expect(key).toBe(expected);
  });
});

describe("TOKEN_CACHE_TTL_SECONDS", () => {
  it("defaults to 30 s, 0 or nonsense turns the cache off, and it never exceeds 60 s", () => {
    expect(tokenCacheTtlMs(undefined)).toBe(DEFAULT_TOKEN_CACHE_TTL_MS);
    expect(tokenCacheTtlMs("")).toBe(DEFAULT_TOKEN_CACHE_TTL_MS);
    expect(tokenCacheTtlMs("10")).toBe(10_000);
    expect(tokenCacheTtlMs("0")).toBe(0);
    expect(tokenCacheTtlMs("-5")).toBe(0);
    expect(tokenCacheTtlMs("soon")).toBe(0);
    expect(tokenCacheTtlMs("3600")).toBe(MAX_TOKEN_CACHE_TTL_MS);
  });
});

describe("cachingValidator", () => {
  it("answers a repeated token from the cache (hit), for the same resource only", async () => {
    const time = clock();
    const cache = new TokenCache({ now: time.now });
    const validate = upstream(async () => validation());
    const cached = cachingValidator(cache, validate);
    expect(await cached(RESOURCE, TOKEN)).toEqual(validation());
    expect(await cached(RESOURCE, TOKEN)).toEqual(validation());
    expect(validate).toHaveBeenCalledTimes(1);
    // Another resource of the same deployment asks the authorization server itself.
    await cached("https://other.example", TOKEN);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it("asks again once the TTL has passed", async () => {
    const time = clock();
    const cache = new TokenCache({ ttlMs: 30_000, now: time.now });
    const validate = upstream(async () => validation());
    const cached = cachingValidator(cache, validate);
    await cached(RESOURCE, TOKEN);
    time.advance(29_999);
    await cached(RESOURCE, TOKEN);
    expect(validate).toHaveBeenCalledTimes(1);
    time.advance(1);
    await cached(RESOURCE, TOKEN);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it("never keeps an entry past the token's own expiry", async () => {
    const time = clock();
    const cache = new TokenCache({ ttlMs: 60_000, now: time.now });
    const validate = upstream(async () => validation(10));
    const cached = cachingValidator(cache, validate);
    await cached(RESOURCE, TOKEN);
    time.advance(9_999);
    await cached(RESOURCE, TOKEN);
    expect(validate).toHaveBeenCalledTimes(1);
    time.advance(1);
    await cached(RESOURCE, TOKEN);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it("never caches a refused, expired, unexpiring or failed check", async () => {
    const cache = new TokenCache({ now: clock().now });
    for (const answer of [async () => null, async () => validation(-1), async () => ({ ...validation(), expiresAt: undefined })]) {
      const validate = upstream(answer);
      const cached = cachingValidator(cache, validate);
      await cached(RESOURCE, TOKEN);
      await cached(RESOURCE, TOKEN);
      expect(validate).toHaveBeenCalledTimes(2);
    }
    const failing = upstream(async () => {
      throw new Error("KV unavailable");
    });
    const cached = cachingValidator(cache, failing);
    await expect(cached(RESOURCE, TOKEN)).rejects.toThrow("KV unavailable");
    await expect(cached(RESOURCE, TOKEN)).rejects.toThrow("KV unavailable");
    expect(failing).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  it("does not cache tokens that are not in the provider's userId:grantId:secret form", async () => {
    const cache = new TokenCache({ now: clock().now });
    const validate = upstream(async () => validation());
    const cached = cachingValidator(cache, validate);
    await cached(RESOURCE, "opaque-token");
    await cached(RESOURCE, "opaque-token");
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it("holds at most maxEntries, dropping the least recently used", async () => {
    const cache = new TokenCache({ maxEntries: 2, now: clock().now });
    const validate = upstream(async () => validation());
    const cached = cachingValidator(cache, validate);
    await cached(RESOURCE, "u:g:a");
    await cached(RESOURCE, "u:g:b");
    await cached(RESOURCE, "u:g:a"); // a is now the most recently used
    await cached(RESOURCE, "u:g:c"); // evicts b
    expect(cache.size).toBe(2);
    expect(validate).toHaveBeenCalledTimes(3);
    await cached(RESOURCE, "u:g:a");
    expect(validate).toHaveBeenCalledTimes(3);
    await cached(RESOURCE, "u:g:b");
    expect(validate).toHaveBeenCalledTimes(4);
  });

  it("a TTL of 0 caches nothing", async () => {
    const cache = new TokenCache({ ttlMs: 0, now: clock().now });
    const validate = upstream(async () => validation());
    const cached = cachingValidator(cache, validate);
    await cached(RESOURCE, TOKEN);
    await cached(RESOURCE, TOKEN);
    expect(validate).toHaveBeenCalledTimes(2);
  });

  it("hands out frozen validations, so no request can change what the next one sees", async () => {
    const cache = new TokenCache({ now: clock().now });
    const cached = cachingValidator(
      cache,
      upstream(async () => validation(3600, { user: "ada", nested: { role: "admin" } })),
    );
    const first = (await cached(RESOURCE, TOKEN)) as TokenValidation & { props: { nested: { role: string } } };
    expect(Object.isFrozen(first.props.nested)).toBe(true);
    expect(() => {
      first.props.nested.role = "owner";
    }).toThrow();
  });
});

describe("revocation evicts", () => {
  function kvRecording() {
    const deleted: string[] = [];
    const kv = {
      delete: async (key: string) => {
        deleted.push(key);
      },
      get: async (key: string) => `value of ${key}`,
    } as unknown as KVNamespace;
    return { kv, deleted };
  }

  it("the token whose record is deleted (revocation endpoint), and only it", async () => {
    const cache = new TokenCache({ now: clock().now });
    const validate = upstream(async () => validation());
    const cached = cachingValidator(cache, validate);
    await cached(RESOURCE, TOKEN);
    await cached(RESOURCE, OTHER);
    const { kv, deleted } = kvRecording();
    const wrapped = evictingKv(kv, cache);
    await wrapped.delete(`token:user-1:grant-1:${await tokenKey(TOKEN)}`);
    expect(deleted).toEqual([`token:user-1:grant-1:${await tokenKey(TOKEN)}`]);
    await cached(RESOURCE, TOKEN);
    await cached(RESOURCE, OTHER);
    expect(validate).toHaveBeenCalledTimes(3);
    // Everything else passes through untouched.
    expect(await wrapped.get("client:x")).toBe("value of client:x");
  });

  it("every token of a grant when the grant record is deleted (grant revocation)", async () => {
    const cache = new TokenCache({ now: clock().now });
    const validate = upstream(async () => validation());
    const cached = cachingValidator(cache, validate);
    await cached(RESOURCE, TOKEN);
    await cached(RESOURCE, "user-1:grant-1:second-access-token");
    await cached(RESOURCE, OTHER);
    await evictingKv(kvRecording().kv, cache).delete("grant:user-1:grant-1");
    expect(cache.size).toBe(1);
    await cached(RESOURCE, TOKEN);
    await cached(RESOURCE, OTHER);
    expect(validate).toHaveBeenCalledTimes(4);
  });

  it("and a validation in flight across a revocation is not cached", async () => {
    const cache = new TokenCache({ now: clock().now });
    let release: (value: TokenValidation) => void = () => {};
    const slow = upstream(() => new Promise<TokenValidation>((resolve) => (release = resolve)));
    const pending = cachingValidator(cache, slow)(RESOURCE, TOKEN);
    await new Promise((resolve) => setTimeout(resolve, 0));
    cache.evictKvKey("grant:user-1:grant-1");
    release(validation());
    expect(await pending).toEqual(validation());
    expect(cache.size).toBe(0);
  });
});
