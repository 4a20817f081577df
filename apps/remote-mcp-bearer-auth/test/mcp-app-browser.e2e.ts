import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { loggedToolCalls, printServerLogOnFailure } from "@repo/mcp-app/testing";
import { type AppsHost, type AppsHostPage, openAppsHost } from "@repo/mcp-app/testing/apps-host";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { API_KEYS, bearer, TOKENS, USERS } from "./demo.js";
import { type BothWorkers, seededStateWith, startWithUserApi } from "./dev.js";

// get_user_data's profile card in a real browser: a host page built on ext-apps' AppBridge connects
// with a bearer token to the app under `wrangler dev`, with example-user-api behind its USER_API
// binding, renders the card for the model's get_user_data call in a sandboxed iframe, and the card's
// Refresh calls get_user_data through the host. `UPDATE_SCREENSHOTS=1` also saves the README's
// screenshot (docs/images/mcp-app-profile.png).

const SCREENSHOT = new URL("../../../docs/images/mcp-app-profile.png", import.meta.url).pathname;

// A backend user whose name is markup: the card must show it as text.
const MALLORY = {
  id: 90,
  name: '<img src="x" onerror="document.title=1">Mallory <b>Root</b>',
  email: "mallory@example.com",
  role: "viewer",
};
const MALLORY_TOKEN = `uapi_e2e_mallory_${randomBytes(18).toString("base64url")}`;
const sqlText = (value: string) => `'${value.replaceAll("'", "''")}'`;
const ADD_MALLORY = [
  `INSERT INTO users (id, name, email, role) VALUES (${MALLORY.id}, ${sqlText(MALLORY.name)}, ${sqlText(MALLORY.email)}, ${sqlText(MALLORY.role)});`,
  `INSERT INTO tokens (token_sha256, user_id, label) VALUES ('${createHash("sha256").update(MALLORY_TOKEN).digest("hex")}', ${MALLORY.id}, 'e2e');`,
].join(" ");

let state: string;
// The default configuration (the backend validates users' tokens), and API keys, which get_user_data
// does not pass on to the backend: a tool error the card shows.
let withUsers: BothWorkers;
let withApiKeys: BothWorkers;
let apps: AppsHostPage;
let host: AppsHost;
let page: AppsHostPage["page"];

beforeAll(async () => {
  state = await seededStateWith(inject("seededState"), ADD_MALLORY);
  // One after the other: wrangler sessions started at the same instant may pick the same internal port.
  withUsers = await startWithUserApi(state, {});
  withApiKeys = await startWithUserApi(inject("seededState"), { BEARER_VALIDATOR: "api-keys", API_KEYS });
  apps = await openAppsHost({ width: 600, height: 300 });
  ({ host, page } = apps);
});
afterAll(async () => {
  await apps?.close();
  await withUsers?.stop();
  await withApiKeys?.stop();
  if (state) rmSync(state, { recursive: true, force: true });
});

const userDataCalls = (server: BothWorkers) => loggedToolCalls(server.logs()).filter((call) => call.tool === "get_user_data");

/** Opens the host page for the model's get_user_data call with `token`, and waits for the card. */
async function openCard(server: BothWorkers, token: string) {
  await page.goto(host.url({ mcp: `${server.origin}/mcp`, tool: "get_user_data", arguments: {}, headers: bearer(token) }));
  await page.locator("body[data-state=ready]").waitFor();
  const card = page.frameLocator("iframe#app");
  await expect.poll(() => card.locator("#card").getAttribute("aria-busy")).toBe("false");
  return card;
}

describe("the profile card, with the user backend validating the token", () => {
  printServerLogOnFailure(() => withUsers);
  let card: Awaited<ReturnType<typeof openCard>>;

  it("shows the name, email, role and id get_user_data returned for the model's call", async () => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    card = await openCard(withUsers, TOKENS.grace);
    expect(await card.locator("#name").textContent()).toBe(USERS.grace.name);
    expect(await card.locator("#initials").textContent()).toBe("GH");
    expect(await card.locator("#email").textContent()).toBe(USERS.grace.email);
    expect(await card.locator("#role").textContent()).toBe(USERS.grace.role);
    expect(await card.locator("#id").textContent()).toBe(String(USERS.grace.id));
    expect(await card.locator("#error").isVisible()).toBe(false);
    expect(await card.locator("#status").textContent()).toBe("From the model's get_user_data call.");
    expect(await page.locator("iframe#app").getAttribute("sandbox")).toBe("allow-scripts");
    await expect.poll(() => userDataCalls(withUsers).map((call) => call.outcome)).toEqual(["ok"]);
    expect(errors).toEqual([]);
  });

  it("refreshes through the host: the card's get_user_data call reaches the server and its answer replaces what the card showed", async () => {
    const before = userDataCalls(withUsers).length;
    // Made stale by hand, so only a re-render from the new result can bring the name back.
    await card.locator("#name").evaluate((name) => {
      name.textContent = "stale";
    });
    expect(await card.locator("#name").textContent()).toBe("stale");
    await card.locator("#refresh").click();
    await expect.poll(() => card.locator("#status").textContent()).toBe("Refreshed by get_user_data.");
    expect(await card.locator("#name").textContent()).toBe(USERS.grace.name);
    await expect.poll(() => userDataCalls(withUsers).length).toBe(before + 1);
    expect(userDataCalls(withUsers).at(-1)?.outcome).toBe("ok");
    expect(await card.locator("#refresh").isEnabled()).toBe(true);
    if (process.env.UPDATE_SCREENSHOTS === "1") {
      mkdirSync(new URL(".", `file://${SCREENSHOT}`).pathname, { recursive: true });
      await page.screenshot({ path: SCREENSHOT, animations: "disabled", caret: "hide", fullPage: true });
    }
  });

  it("writes what the backend says as text: markup in a user's name is shown, not run", async () => {
    card = await openCard(withUsers, MALLORY_TOKEN);
    expect(await card.locator("#name").textContent()).toBe(MALLORY.name);
    expect(await card.locator("#card img, #card b").count()).toBe(0);
    expect(await card.locator("#email").textContent()).toBe(MALLORY.email);
  });
});

describe("the profile card when get_user_data fails", () => {
  printServerLogOnFailure(() => withApiKeys);

  it("shows the tool error as the card's error text, for the model's call and for Refresh", async () => {
    const card = await openCard(withApiKeys, TOKENS.laptopKey);
    const error = card.locator("#error");
    expect(await error.textContent()).toContain("You authenticated with an API key, which is not sent to the user backend.");
    expect(await error.getAttribute("role")).toBe("alert");
    expect(await error.isVisible()).toBe(true);
    expect(await card.locator("#details").isVisible()).toBe(false);
    expect(await card.locator("#name").textContent()).toBe("Profile unavailable");
    expect(await card.locator("#status").textContent()).toBe("The model's get_user_data call failed.");
    await expect.poll(() => userDataCalls(withApiKeys).map((call) => call.outcome)).toEqual(["tool_error"]);

    await card.locator("#refresh").click();
    await expect.poll(() => userDataCalls(withApiKeys).length).toBe(2);
    expect(userDataCalls(withApiKeys).at(-1)?.outcome).toBe("tool_error");
    await expect.poll(() => card.locator("#status").textContent()).toBe("get_user_data failed.");
    expect(await error.textContent()).toContain("You authenticated with an API key");
    expect(withApiKeys.logs()).not.toContain(TOKENS.laptopKey);
  });
});
