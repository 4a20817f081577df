import { afterEach, describe, expect, it, vi } from "vitest";
import { annotate, describeError, type LogFields, log, redact, setQuiet, withRequestFields } from "./log.js";

describe("redact", () => {
  it("replaces secret-looking values at any depth and keeps the rest", () => {
    expect(
      redact({
        app: "calc",
        status: 200,
        token: "t0k",
        accessToken: "a",
        refresh_token: "r",
        client_secret: "s",
        Password: "p",
        authorization: "Bearer x",
        cookie: "c=1",
        props: { email: "ada@example.com" },
        code: "auth-code",
        code_verifier: "v",
        apiKey: "k",
        "api-key": "k",
        clientId: "client-1",
        scopes: ["mcp:tools"],
        nested: { userId: "u1", headers: { Authorization: "Bearer y", "x-trace": "t" }, deeper: { secretValue: 1 } },
      }),
    ).toEqual({
      app: "calc",
      status: 200,
      token: "[redacted]",
      accessToken: "[redacted]",
      refresh_token: "[redacted]",
      client_secret: "[redacted]",
      Password: "[redacted]",
      authorization: "[redacted]",
      cookie: "[redacted]",
      props: "[redacted]",
      code: "[redacted]",
      code_verifier: "[redacted]",
      apiKey: "[redacted]",
      "api-key": "[redacted]",
      clientId: "client-1",
      scopes: ["mcp:tools"],
      nested: { userId: "u1", headers: { Authorization: "[redacted]", "x-trace": "t" }, deeper: { secretValue: "[redacted]" } },
    });
  });

  it("reaches into arrays of objects too", () => {
    expect(redact({ attempts: [{ token: "a", n: 1 }, "plain", [{ password: "p" }]] })).toEqual({
      attempts: [{ token: "[redacted]", n: 1 }, "plain", [{ password: "[redacted]" }]],
    });
  });

  it("keeps keys that merely contain 'code', drops undefined values, and does not change its input", () => {
    const input = { errorCode: "E1", codeChallenge: "c", status: undefined, nested: { password: "p" } };
    expect(redact(input)).toEqual({ errorCode: "E1", codeChallenge: "c", nested: { password: "[redacted]" } });
    expect(input.nested.password).toBe("p");
  });
});

describe("log", () => {
  afterEach(() => {
    setQuiet(false);
    vi.restoreAllMocks();
  });

  it("writes one JSON line with a timestamp, redacted", () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((line: string) => lines.push(line));
    log({ event: "tool", tool: "add", props: { email: "a@b.c" } });
    expect(lines).toHaveLength(1);
    const fields = JSON.parse(lines[0] ?? "");
    expect(fields).toEqual({ ts: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), event: "tool", tool: "add", props: "[redacted]" });
  });

  it("writes nothing when quiet", () => {
    const spy = vi.spyOn(console, "log").mockImplementation(() => {});
    setQuiet(true);
    log({ event: "x" });
    expect(spy).not.toHaveBeenCalled();
  });
});

describe("annotate", () => {
  it("adds to the fields of the request being served, and does nothing outside one", async () => {
    const fields: LogFields = { path: "/mcp" };
    await withRequestFields(fields, async () => {
      await Promise.resolve();
      annotate({ tool: "add" });
    });
    annotate({ tool: "stray" });
    expect(fields).toEqual({ path: "/mcp", tool: "add" });
  });
});

describe("describeError", () => {
  it("gives an error's name and message, never its stack, and only the type of anything else", () => {
    const error = new RangeError("too big");
    expect(describeError(error)).toBe("RangeError: too big");
    expect(describeError(error)).not.toContain("at ");
    expect(describeError("Bearer secret-token")).toBe("string");
    expect(describeError({ token: "t" })).toBe("object");
  });
});
