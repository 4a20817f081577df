import { describe, expect, it } from "vitest";
import { apiKeyValidator, BearerConfigError, backendValidator, parseApiKeys } from "./bearer.js";

const LAPTOP_KEY = "mcpk_demo_laptop_pzfv_lhzupmRfsxfgKdda37m";
const LAPTOP_SHA256 = "51ee8d7fce6b243b2c01a3dcf4bdd48f3368bea6bfadbf4444fc25c9642cbde4";
const CI_KEY = "mcpk_demo_ci_UOjtBsMkZ7L4Xo838glAtSDN";
const CI_SHA256 = "72b691ea62e9e718c9bec4c8bba92a294136efce98ac25f48671ff699dd50e1a";

const keys = JSON.stringify([
  { label: "laptop", sha256: LAPTOP_SHA256 },
  { label: "ci", sha256: CI_SHA256.toUpperCase(), scopes: ["mcp:tools", "mcp:admin"] },
]);

describe("apiKeyValidator", () => {
  it("accepts each configured key, by its SHA-256, with its label and scopes", async () => {
    const validate = apiKeyValidator(keys);
    expect(await validate(LAPTOP_KEY)).toEqual({ kind: "api-key", label: "key:laptop" });
    expect(await validate(CI_KEY)).toEqual({ kind: "api-key", label: "key:ci", scopes: ["mcp:tools", "mcp:admin"] });
  });

  it("refuses anything else, including the stored digest itself and near misses", async () => {
    const validate = apiKeyValidator(keys);
    for (const token of [LAPTOP_SHA256, `${LAPTOP_KEY}x`, LAPTOP_KEY.slice(0, -1), LAPTOP_KEY.toUpperCase(), "x", ""]) {
      expect(await validate(token), token).toBeNull();
    }
  });

  it("holds a key listed with an empty scope list to no scopes, not to every scope", async () => {
    const validate = apiKeyValidator(JSON.stringify([{ label: "none", sha256: LAPTOP_SHA256, scopes: [] }]));
    expect(await validate(LAPTOP_KEY)).toEqual({ kind: "api-key", label: "key:none", scopes: [] });
  });

  it("reads a changed API_KEYS value instead of a stale cached one", async () => {
    expect(await apiKeyValidator(JSON.stringify([{ label: "only-ci", sha256: CI_SHA256 }]))(LAPTOP_KEY)).toBeNull();
    expect(await apiKeyValidator(keys)(LAPTOP_KEY)).not.toBeNull();
  });
});

describe("parseApiKeys", () => {
  it("normalises digests to lowercase; a key without scopes is unrestricted", () => {
    expect(parseApiKeys(keys)).toEqual([
      { label: "laptop", sha256: LAPTOP_SHA256 },
      { label: "ci", sha256: CI_SHA256, scopes: ["mcp:tools", "mcp:admin"] },
    ]);
  });

  it.each([
    [undefined, "API_KEYS is not set: set it to a JSON array of { label, sha256, scopes? }"],
    ["  ", "API_KEYS is not set: set it to a JSON array of { label, sha256, scopes? }"],
    [`[{"label":"a","sha256":"${LAPTOP_KEY}`, "API_KEYS is not valid JSON"],
    ["[]", "API_KEYS is invalid at (root): configure at least one key"],
    [`{"label":"a","sha256":"${LAPTOP_SHA256}"}`, "API_KEYS is invalid at (root): Invalid input: expected array, received object"],
    [`[{"label":"a","sha256":"${LAPTOP_KEY}"}]`, "API_KEYS is invalid at 0.sha256: sha256 is the 64-character hex SHA-256 of the key"],
    [`[{"label":"a b","sha256":"${LAPTOP_SHA256}"}]`, "API_KEYS is invalid at 0.label: a label is 1-64 letters, digits or . _ @ -"],
    [`[{"label":"a","sha256":"${LAPTOP_SHA256}","key":"${LAPTOP_KEY}"}]`, 'API_KEYS is invalid at 0: Unrecognized key: "key"'],
    [
      `[{"label":"a","sha256":"${LAPTOP_SHA256}"},{"label":"a","sha256":"${CI_SHA256}"}]`,
      "API_KEYS is invalid at (root): labels must be unique",
    ],
    [
      `[{"label":"a","sha256":"${LAPTOP_SHA256}"},{"label":"b","sha256":"${LAPTOP_SHA256.toUpperCase()}"}]`,
      "API_KEYS is invalid at (root): the same key is listed twice",
    ],
    [
      `[{"label":"a","sha256":"${LAPTOP_SHA256}","scopes":["has space"]}]`,
      "API_KEYS is invalid at 0.scopes.0: a scope is an OAuth scope token",
    ],
  ])("refuses %j with a message that names the problem and never the value", (json, message) => {
    let thrown: unknown;
    try {
      parseApiKeys(json);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(BearerConfigError);
    expect((thrown as Error).message).toBe(message);
    expect((thrown as Error).message).not.toContain(LAPTOP_KEY);
  });

  it("makes apiKeyValidator throw at construction, before any token is checked", () => {
    expect(() => apiKeyValidator(undefined)).toThrow(BearerConfigError);
  });
});

describe("backendValidator", () => {
  it("labels the backend's user and passes the token through untouched", async () => {
    const asked: string[] = [];
    const validate = backendValidator(async (token) => {
      asked.push(token);
      return token === "good" ? { id: 7 } : null;
    });
    expect(await validate("good")).toEqual({ kind: "user-token", label: "user:7" });
    expect(await validate("bad")).toBeNull();
    expect(asked).toEqual(["good", "bad"]);
  });

  it("lets a backend failure propagate, so the server can answer 503 rather than 401", async () => {
    const validate = backendValidator(async () => {
      throw new Error("user backend timeout");
    });
    await expect(validate("any")).rejects.toThrow("user backend timeout");
  });
});
