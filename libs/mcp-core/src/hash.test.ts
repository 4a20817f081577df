import { describe, expect, it } from "vitest";
import { sha256, sha256Hex } from "./hash.js";

const LAPTOP_KEY = "mcpk_demo_laptop_pzfv_lhzupmRfsxfgKdda37m";
const LAPTOP_SHA256 = "51ee8d7fce6b243b2c01a3dcf4bdd48f3368bea6bfadbf4444fc25c9642cbde4";
const E_ACUTE_SHA256 = "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c";

describe("sha256Hex", () => {
  it("hashes the UTF-8 bytes to lowercase hex", async () => {
    expect(await sha256Hex(LAPTOP_KEY)).toBe(LAPTOP_SHA256);
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(await sha256Hex("é")).toBe(E_ACUTE_SHA256);
  });
});

describe("sha256", () => {
  it("gives the 32 bytes the hex spells", async () => {
    const digest = await sha256(LAPTOP_KEY);
    expect(digest).toHaveLength(32);
    expect(Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("")).toBe(LAPTOP_SHA256);
  });
});
