import { describe, expect, it } from "vitest";
import { isPublicHost } from "./address.js";
import { documentUrlProblem } from "./cimd.js";

const hostOf = (url: string) => new URL(url).hostname;

describe("isPublicHost", () => {
  it("accepts public names and addresses", () => {
    const hosts = ["claude.ai", "chatgpt.com", "client.example.com.", "8.8.8.8", "1.1.1.1", "[2606:4700:4700::1111]"];
    expect(hosts.filter((host) => !isPublicHost(host))).toEqual([]);
  });

  it("refuses loopback, private, link-local, CGNAT, multicast and reserved IPv4, however the URL spells it", () => {
    const urls = [
      "https://127.0.0.1/",
      "https://127.8.9.10/",
      "https://0x7f000001/",
      "https://2130706433/",
      "https://0177.0.0.1/",
      "https://10.1.2.3/",
      "https://172.16.0.1/",
      "https://172.31.255.255/",
      "https://192.168.1.1/",
      "https://169.254.169.254/",
      "https://100.64.0.1/",
      "https://0.0.0.0/",
      "https://224.0.0.1/",
      "https://255.255.255.255/",
      "https://198.18.0.1/",
    ];
    expect(urls.filter((url) => isPublicHost(hostOf(url)))).toEqual([]);
    // The edges of the private blocks are public.
    expect(["https://172.32.0.1/", "https://100.128.0.1/", "https://11.0.0.1/"].map((url) => isPublicHost(hostOf(url)))).toEqual([
      true,
      true,
      true,
    ]);
  });

  it("refuses loopback, unique-local, link-local and IPv4-carrying IPv6", () => {
    const urls = [
      "https://[::1]/",
      "https://[::]/",
      "https://[fd00::1]/",
      "https://[fc12:3456::1]/",
      "https://[fe80::1]/",
      "https://[ff02::1]/",
      "https://[::ffff:127.0.0.1]/",
      "https://[::ffff:10.0.0.1]/",
      "https://[64:ff9b::a9fe:a9fe]/",
      "https://[2001:db8::1]/",
    ];
    expect(urls.filter((url) => isPublicHost(hostOf(url)))).toEqual([]);
    expect(isPublicHost(hostOf("https://[::ffff:8.8.8.8]/"))).toBe(true);
  });

  it("refuses names that are never public", () => {
    const hosts = ["localhost", "api.localhost", "printer.local", "db.internal", "nas.home.arpa", "intranet", "router.lan"];
    expect(hosts.filter(isPublicHost)).toEqual([]);
  });
});

describe("documentUrlProblem", () => {
  it("fetches https on public hosts only", () => {
    expect(documentUrlProblem(new URL("https://claude.ai/oauth/client.json"), false)).toBeUndefined();
    expect(documentUrlProblem(new URL("http://claude.ai/oauth/client.json"), false)).toBe("http: URLs are not fetched, only https");
    expect(documentUrlProblem(new URL("https://10.0.0.1/client.json"), true)).toBe("10.0.0.1 is not a public host");
  });

  it("allows loopback only when local development allows it, and never a private network", () => {
    const loopback = new URL("https://localhost:8443/client.json");
    expect(documentUrlProblem(loopback, false)).toBe("localhost is not a public host");
    expect(documentUrlProblem(loopback, true)).toBeUndefined();
    expect(documentUrlProblem(new URL("https://192.168.0.2/client.json"), true)).toBe("192.168.0.2 is not a public host");
  });
});
