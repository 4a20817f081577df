import type { BearerProps, ToolContext } from "@remote-mcp-workers/mcp-core";
import { describe, expect, it } from "vitest";
import { FULLY_MASKED, getToken, maskToken, tokenFingerprint } from "./get-token.js";

const ADA_TOKEN = "uapi_demo_ada_vjei4t2Gzepa0rAuEOuL3eRs";
const ADA_SHA256 = "fdfe88f6a38aabdd2bffee1b6a8fd5bf9bdb173f3e4a6b25d9524f0902af2fc0";

const context = (props: unknown): ToolContext => ({
  props,
  scopes: [],
  env: {},
  signal: new AbortController().signal,
  progress: async () => {},
  log: async () => {},
});

const props = (token: string, overrides: Partial<BearerProps> = {}): BearerProps => ({
  scheme: "Bearer",
  token,
  source: "header",
  kind: "user-token",
  label: "user:1",
  ...overrides,
});

describe("maskToken", () => {
  it("shows the first and last 4 characters of a token of 24 characters or more", () => {
    expect(maskToken(ADA_TOKEN)).toBe("uapi…3eRs");
    expect(maskToken("abcdefghijklmnopqrstuvwx")).toBe("abcd…uvwx");
  });

  it("hides a shorter token entirely, without revealing its length", () => {
    expect(maskToken("abcdefghijklmnopqrstuvw")).toBe(FULLY_MASKED);
    expect(maskToken("x")).toBe(FULLY_MASKED);
  });
});

describe("tokenFingerprint", () => {
  it("is sha256: and the first 12 hex digits of the token's SHA-256", async () => {
    expect(await tokenFingerprint(ADA_TOKEN)).toBe(`sha256:${ADA_SHA256.slice(0, 12)}`);
  });
});

describe("getToken", () => {
  it("describes the credential without revealing it", async () => {
    const result = await getToken.handler({}, context(props(ADA_TOKEN)));
    expect(result).toEqual({
      content: [
        {
          type: "text",
          text: "Bearer token from the Authorization header: uapi…3eRs (sha256:fdfe88f6a38a), user token of user:1.",
        },
      ],
      structuredContent: {
        scheme: "Bearer",
        source: "header",
        masked: "uapi…3eRs",
        fingerprint: "sha256:fdfe88f6a38a",
        kind: "user-token",
        holder: "user:1",
      },
    });
    expect(JSON.stringify(result)).not.toContain(ADA_TOKEN.slice(4, -4));
    expect(getToken.outputSchema?.safeParse(result.structuredContent).success).toBe(true);
  });

  it("says where a query-string API key came from, and masks a short one entirely", async () => {
    const result = await getToken.handler({}, context(props("short-key-123", { source: "query", kind: "api-key", label: "key:ci" })));
    expect(result.structuredContent).toMatchObject({ masked: FULLY_MASKED, source: "query", kind: "api-key", holder: "key:ci" });
    expect(result.content[0]?.text).toBe(
      `Bearer token from the auth_token query parameter: ${FULLY_MASKED} (${await tokenFingerprint("short-key-123")}), API key of key:ci.`,
    );
    expect(JSON.stringify(result)).not.toContain("short-key-123");
  });

  it("is a tool error on a connection without a bearer credential", async () => {
    for (const missing of [undefined, {}, { ...props(ADA_TOKEN), scheme: "Basic" }, { ...props(""), token: "" }]) {
      expect(await getToken.handler({}, context(missing))).toEqual({
        isError: true,
        content: [{ type: "text", text: "This connection did not authenticate with a bearer token, so there is no token to show." }],
      });
    }
  });

  it("takes no arguments and is read-only", () => {
    expect(getToken.name).toBe("getToken");
    expect(getToken.inputSchema.safeParse({}).success).toBe(true);
    expect(getToken.annotations).toMatchObject({ readOnlyHint: true, openWorldHint: false });
  });
});
