import { describe, expect, it } from "vitest";
import { anonymous, BearerProps, type Caller, CallerSchema, isAnonymous } from "./identity.js";

describe("CallerSchema", () => {
  it("accepts a caller as the auth layers build it, props left as they are", () => {
    const caller: Caller = { props: { login: "ada" }, scopes: ["mcp:tools"], clientId: "client-1", userId: "user:1" };
    expect(CallerSchema.parse(caller)).toEqual(caller);
    expect(CallerSchema.parse(anonymous)).toEqual(anonymous);
  });

  it("refuses what is not a caller: scopes that are not strings, ids that are not strings, no scopes at all", () => {
    for (const bad of [
      { props: undefined, scopes: "mcp:tools" },
      { props: undefined, scopes: [42] },
      { props: undefined, scopes: [], clientId: 7 },
      { props: undefined, scopes: [], userId: null },
      { props: undefined },
      null,
    ]) {
      expect(CallerSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("isAnonymous", () => {
  it("holds for a caller nobody vouched for, and not once a client or user is known", () => {
    expect(isAnonymous(anonymous)).toBe(true);
    expect(isAnonymous({ props: undefined, scopes: ["mcp:tools"] })).toBe(true);
    expect(isAnonymous({ props: undefined, scopes: [], clientId: "client-1" })).toBe(false);
    expect(isAnonymous({ props: undefined, scopes: [], userId: "user:1" })).toBe(false);
  });
});

describe("BearerProps", () => {
  const props: BearerProps = { scheme: "Bearer", token: "t0k", source: "header", kind: "api-key", label: "key:laptop" };

  it("accepts the props the bearer layer builds", () => {
    expect(BearerProps.parse(props)).toEqual(props);
    expect(BearerProps.parse({ ...props, source: "query", kind: "user-token", label: "user:1" }).kind).toBe("user-token");
  });

  it("refuses an empty token or label, another scheme, and a source or kind it does not know", () => {
    for (const bad of [
      { ...props, token: "" },
      { ...props, label: "" },
      { ...props, scheme: "Basic" },
      { ...props, source: "cookie" },
      { ...props, kind: "session" },
    ]) {
      expect(BearerProps.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
