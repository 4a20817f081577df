import { describe, expect, it } from "vitest";
import { grantOf } from "./oauth.js";
import { ownerOf } from "./owner.js";

describe("ownership", () => {
  it("tells apart callers that differ in client, user or grant, whatever characters their fields hold", () => {
    const ada = { props: undefined, scopes: [], clientId: "c1", userId: "ada", grantId: "g1" };
    const owners = [
      ada,
      { ...ada, clientId: "c2" },
      { ...ada, userId: "bob" },
      { ...ada, grantId: "g2" },
      { ...ada, grantId: undefined },
      { ...ada, clientId: "c1\0ada", userId: "g1", grantId: undefined },
      { ...ada, clientId: 'c1","ada', userId: "g1", grantId: undefined },
    ].map(ownerOf);
    expect(new Set(owners).size).toBe(owners.length);
  });

  it("reads the grant of a provider token (userId:grantId:secret) only when its user is the verified user", () => {
    expect(grantOf({ userId: "ada", token: "ada:g1:s3cret" })).toBe("ada:g1");
    expect(grantOf({ userId: "bob", token: "ada:g1:s3cret" })).toBeUndefined();
    expect(grantOf({ userId: "ada", token: "ada:g1" })).toBeUndefined();
    expect(grantOf({ userId: "ada", token: "ada:g1:s:extra" })).toBeUndefined();
    expect(grantOf({ userId: "ada", token: "ada::s3cret" })).toBeUndefined();
    expect(grantOf({ token: "ada:g1:s3cret" })).toBeUndefined();
  });
});
