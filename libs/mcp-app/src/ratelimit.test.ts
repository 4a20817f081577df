import { afterEach, describe, expect, it, vi } from "vitest";
import { clientIp, RETRY_AFTER_SECONDS, tooManyRequests, withinLimit } from "./ratelimit.js";

/** A binding double that records the keys it was asked about and answers as told. */
function limiter(answer: boolean | Error) {
  const keys: string[] = [];
  const binding: RateLimit = {
    async limit({ key }) {
      keys.push(key);
      if (answer instanceof Error) throw answer;
      return { success: answer };
    },
  };
  return { binding, keys };
}

afterEach(() => vi.restoreAllMocks());

describe("withinLimit", () => {
  it("asks the binding about the key and follows its answer", async () => {
    const allow = limiter(true);
    const deny = limiter(false);
    expect(await withinLimit({ MCP_RATE_LIMITER: allow.binding }, "MCP_RATE_LIMITER", "client:a|user:b")).toBe(true);
    expect(await withinLimit({ OAUTH_RATE_LIMITER: deny.binding }, "OAUTH_RATE_LIMITER", "/token|ip:203.0.113.9")).toBe(false);
    expect(allow.keys).toEqual(["client:a|user:b"]);
    expect(deny.keys).toEqual(["/token|ip:203.0.113.9"]);
  });

  it("does not limit without a binding, or with RATE_LIMITING=off (the binding is not asked)", async () => {
    const deny = limiter(false);
    expect(await withinLimit({}, "MCP_RATE_LIMITER", "k")).toBe(true);
    expect(await withinLimit({ MCP_RATE_LIMITER: deny.binding, RATE_LIMITING: "off" }, "MCP_RATE_LIMITER", "k")).toBe(true);
    expect(deny.keys).toEqual([]);
  });

  it("serves the request when the binding fails, and logs the failure without its message", async () => {
    const logged: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => void logged.push(line));
    const broken = limiter(new Error("internal detail"));
    expect(await withinLimit({ MCP_RATE_LIMITER: broken.binding }, "MCP_RATE_LIMITER", "k")).toBe(true);
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] as string)).toMatchObject({ event: "rate_limit_unavailable", binding: "MCP_RATE_LIMITER", error: "Error" });
    expect(logged[0]).not.toContain("internal detail");
  });
});

describe("tooManyRequests", () => {
  it("answers MCP routes with a JSON-RPC error and OAuth routes with an OAuth-style error, both 429 with Retry-After", async () => {
    const message = `Too Many Requests: slow down and retry after ${RETRY_AFTER_SECONDS} seconds.`;
    const mcp = tooManyRequests("mcp");
    expect(mcp.status).toBe(429);
    expect(mcp.headers.get("retry-after")).toBe("60");
    expect(await mcp.json()).toEqual({ jsonrpc: "2.0", id: null, error: { code: -32000, message } });
    const oauth = tooManyRequests("oauth");
    expect(oauth.status).toBe(429);
    expect(oauth.headers.get("retry-after")).toBe("60");
    expect(oauth.headers.get("cache-control")).toBe("no-store");
    expect(await oauth.json()).toEqual({ error: "rate_limited", error_description: message });
  });
});

it("clientIp reads CF-Connecting-IP, which Cloudflare sets at the edge", () => {
  expect(clientIp(new Request("https://x.example/", { headers: { "CF-Connecting-IP": "2001:db8::1" } }))).toBe("2001:db8::1");
  expect(clientIp(new Request("https://x.example/"))).toBe("unknown");
});
