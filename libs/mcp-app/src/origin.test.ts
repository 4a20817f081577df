import { describe, expect, it } from "vitest";
import { originAllowed, parseOrigins, preflight, urlOf, withCors } from "./origin.js";

const request = (url: string, origin?: string) => new Request(url, { headers: origin === undefined ? {} : { Origin: origin } });

describe("originAllowed", () => {
  const deployed = "https://mcp.example.com/mcp";
  const local = "http://localhost:8787/mcp";

  it("allows a request without Origin (not from a browser)", () => {
    expect(originAllowed(request(deployed), [])).toBe(true);
  });

  it("allows the server's own origin", () => {
    expect(originAllowed(request(deployed, "https://mcp.example.com"), [])).toBe(true);
    expect(originAllowed(request("http://127.0.0.1:8787/sse", "http://127.0.0.1:8787"), [])).toBe(true);
  });

  it("refuses a foreign origin, a look-alike, and another scheme or port of its own host", () => {
    for (const origin of [
      "https://evil.example",
      "https://mcp.example.com.evil.example",
      "http://mcp.example.com",
      "https://mcp.example.com:8443",
    ]) {
      expect(originAllowed(request(deployed, origin), []), origin).toBe(false);
    }
  });

  it("refuses Origin: null (sandboxed frames, file: pages) and garbage", () => {
    expect(originAllowed(request(deployed, "null"), [])).toBe(false);
    expect(originAllowed(request(local, "null"), [])).toBe(false);
    expect(originAllowed(request(local, "not a url"), [])).toBe(false);
  });

  it("allows loopback origins (MCP Inspector) only while the server itself is on loopback", () => {
    for (const origin of ["http://localhost:6274", "http://127.0.0.1:6274", "http://[::1]:6274", "http://app.localhost:3000"]) {
      expect(originAllowed(request(local, origin), []), origin).toBe(true);
      expect(originAllowed(request(deployed, origin), []), origin).toBe(false);
    }
    expect(originAllowed(request(local, "https://evil.example"), [])).toBe(false);
    // A loopback origin must be sent in its canonical form.
    expect(originAllowed(request(local, "http://localhost:6274/"), [])).toBe(false);
  });

  it("allows configured origins, as parsed from ALLOWED_ORIGINS", () => {
    const allowed = parseOrigins("https://inspector.example, https://custom.example:8443/ignored-path");
    expect(allowed).toEqual(["https://inspector.example", "https://custom.example:8443"]);
    expect(originAllowed(request(deployed, "https://inspector.example"), allowed)).toBe(true);
    expect(originAllowed(request(deployed, "https://custom.example:8443"), allowed)).toBe(true);
    expect(originAllowed(request(deployed, "https://custom.example"), allowed)).toBe(false);
    expect(originAllowed(request(deployed, "https://other.example"), allowed)).toBe(false);
  });
});

describe("parseOrigins and urlOf", () => {
  it("splits on commas and whitespace and ignores empty entries", () => {
    expect(parseOrigins(undefined)).toEqual([]);
    expect(parseOrigins(" ,, ")).toEqual([]);
    expect(parseOrigins("https://a.example https://B.example\thttp://c.example:80")).toEqual([
      "https://a.example",
      "https://b.example",
      "http://c.example",
    ]);
  });

  it("parses a configuration value once, and a bad entry throws every time", () => {
    const first = parseOrigins("https://a.example, https://b.example");
    expect(parseOrigins("https://a.example, https://b.example")).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(() => parseOrigins("not a url")).toThrow(TypeError);
    expect(() => parseOrigins("not a url")).toThrow(TypeError);
    // Many distinct values (never the case for env vars) do not grow the memo without bound.
    for (let i = 0; i < 100; i++) expect(parseOrigins(`https://${i}.example`)).toEqual([`https://${i}.example`]);
  });

  it("parses a request's URL once however many layers ask (urlOf)", () => {
    const request = new Request("https://mcp.example/mcp?x=1");
    expect(urlOf(request)).toBe(urlOf(request));
    expect(urlOf(request).pathname).toBe("/mcp");
    expect(urlOf(new Request("https://other.example/sse")).origin).toBe("https://other.example");
  });
});

describe("CORS", () => {
  it("adds the allow-origin and expose headers only for requests with an Origin", async () => {
    const withOrigin = withCors(
      new Response("ok", { status: 201, headers: { Vary: "Accept" } }),
      request(deployedUrl(), "https://inspector.example"),
    );
    expect(withOrigin.status).toBe(201);
    expect(await withOrigin.text()).toBe("ok");
    expect(withOrigin.headers.get("access-control-allow-origin")).toBe("https://inspector.example");
    expect(withOrigin.headers.get("vary")).toBe("Accept, Origin");
    expect(withOrigin.headers.get("access-control-expose-headers")).toBe("Mcp-Session-Id, Mcp-Protocol-Version, WWW-Authenticate");

    const plain = new Response("ok");
    expect(withCors(plain, request(deployedUrl()))).toBe(plain);
  });

  it("answers a preflight with 204, the methods and the MCP headers", () => {
    const response = preflight(request(deployedUrl(), "https://inspector.example"));
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, POST, DELETE, OPTIONS");
    expect(response.headers.get("access-control-allow-headers")?.split(", ")).toEqual(
      expect.arrayContaining(["Authorization", "Content-Type", "Mcp-Protocol-Version", "Mcp-Method", "Mcp-Name", "Mcp-Session-Id"]),
    );
    expect(response.headers.get("access-control-allow-origin")).toBe("https://inspector.example");
  });
});

function deployedUrl() {
  return "https://mcp.example.com/mcp";
}
