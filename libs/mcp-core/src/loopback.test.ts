import { describe, expect, it } from "vitest";
import { isLoopbackHost } from "./loopback.js";

describe("isLoopbackHost", () => {
  it("knows the loopback names", () => {
    expect(["localhost", "127.0.0.1", "[::1]", "x.localhost"].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(["localhost.example", "127.0.0.2.example", "example.com"].map(isLoopbackHost)).toEqual([false, false, false]);
  });
});
