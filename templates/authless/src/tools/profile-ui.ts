/// <reference path="./views.d.ts" />
import { defineUiResource } from "@remote-mcp-workers/mcp-core";
// Built from ui/profile by build-ui (tools/build-ui.mjs), imported as a Text module like the calculator's.
import profileView from "#ui/profile.html";
import { getUserData, PROFILE_UI_URI } from "./user-data.js";

/**
 * get_user_data's MCP Apps view: a card with the caller's name, email, role and id, and a Refresh
 * button that calls get_user_data again through the host. The profile is never in the document:
 * the host hands the card the tool's result.
 */
export const profileUi = defineUiResource({
  uri: PROFILE_UI_URI,
  name: "profile-ui",
  title: "Profile card",
  description:
    "A card showing the profile get_user_data returned, with a Refresh button; hosts that render MCP Apps show it with get_user_data.",
  html: profileView,
  prefersBorder: true,
  // Readable by whoever may call get_user_data, and refused to the same callers.
  scopes: getUserData.scopes,
  // "public" although the tool's data is personal: this document is the same static file for every
  // caller and holds no profile (the card is filled from the tool result the host passes it).
  cache: { ttlMs: 300_000, scope: "public" },
});

/** What a server offering getUserData serves with it: get_user_data's MCP Apps view. */
export const userDataResources = [profileUi] as const;
