import { afterEach, describe, expect, it, vi } from "vitest";
import { clientIp, ipKey, RETRY_AFTER_SECONDS, tooManyRequests, withinLimit } from "./ratelimit.js";

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

describe("ipKey", () => {
  const keyOf = (ip?: string) => ipKey(new Request("https://x.example/", ip === undefined ? {} : { headers: { "CF-Connecting-IP": ip } }));

  it("keys an IPv4 address as it is", () => {
    expect(keyOf("203.0.113.9")).toBe("ip:203.0.113.9");
    expect(keyOf()).toBe("ip:unknown");
  });

  it("keys every IPv6 address of one /64 alike, however it is written", () => {
    const key = "ip:2001:db8:85a3:8d3::/64";
    for (const ip of [
      "2001:db8:85a3:8d3::1",
      "2001:0db8:85a3:08d3:ffff:ffff:ffff:ffff",
      "2001:DB8:85A3:8D3:1:2:3:4",
      "2001:db8:85a3:8d3::10.0.0.1",
    ]) {
      expect(keyOf(ip), ip).toBe(key);
    }
    expect(keyOf("2001:db8:85a3:8d4::1")).toBe("ip:2001:db8:85a3:8d4::/64");
    expect(keyOf("::1")).toBe("ip:0:0:0:0::/64");
  });

  it("keys an IPv4-mapped address as its IPv4 host, and anything unparseable as it is", () => {
    expect(keyOf("::ffff:203.0.113.9")).toBe("ip:203.0.113.9");
    expect(keyOf("::ffff:cb00:7109")).toBe("ip:203.0.113.9");
    for (const odd of ["1::2::3", "12345::1", "1:2:3:4:5:6:7:8:9", "gggg::1", "::1.2.3.400"]) expect(keyOf(odd), odd).toBe(`ip:${odd}`);
  });
});
