import { env } from "cloudflare:workers";
import { UI_MIME_TYPE } from "@remote-mcp-workers/mcp-core";
import { describe, expect, it } from "vitest";
import { profileUi, userDataResources } from "./profile-ui.js";
import { getUserData, PROFILE_UI_URI } from "./user-data.js";
import { outlineView } from "./views.testing.js";

describe("get_user_data's MCP Apps view, the profile card", () => {
  it("is linked from get_user_data and served with it, under the same scopes", () => {
    expect(getUserData.ui).toEqual({ resourceUri: PROFILE_UI_URI });
    expect(userDataResources).toEqual([profileUi]);
    expect(profileUi).toMatchObject({ uri: PROFILE_UI_URI, mimeType: UI_MIME_TYPE, scopes: getUserData.scopes });
    expect(profileUi.scopes?.length).toBeGreaterThan(0);
  });

  it("is one self-contained document declaring that it reaches no origin, and calls get_user_data through the host", async () => {
    const body = await profileUi.read({ env, signal: AbortSignal.timeout(10_000) } as never);
    const html = "text" in body && !Array.isArray(body) ? body.text : "";
    expect(outlineView(html)).toEqual({ doctype: true, scripts: [' type="module"'], styles: 2, fetchesSomething: false });
    expect(html.includes('name:"get_user_data"')).toBe(true);
    // The fields the card fills, each with its label; the status is announced as it changes.
    for (const label of ["<dt>Email</dt>", "<dt>Role</dt>", "<dt>User ID</dt>", 'role="status"', 'role="alert"']) {
      expect(html.includes(label), label).toBe(true);
    }
    expect(profileUi.meta).toEqual({ ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } });
  });
});
