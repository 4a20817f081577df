import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  type DevServer,
  launchChromium,
  loggedRequests,
  printServerLogOnFailure,
  startDevServer,
  type TestBrowser,
} from "@repo/mcp-app/testing";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Inspector, startInspector } from "./inspector.js";

/**
 * The README's "Connect a client → MCP Inspector" walkthrough, done for real: MCP Inspector's web UI
 * (the pinned devDependency) in headless Chromium, against the apps under wrangler dev. With
 * remote-mcp-server: add the server by hand, toggle it on, sign in and consent, list the tools, run
 * `add`, divide by zero, over Streamable HTTP (/mcp) and then the legacy SSE transport (/sse). With
 * remote-mcp-bearer-auth: the same server card with an `Authorization` custom header.
 *
 * `UPDATE_SCREENSHOTS=1` also saves the docs' screenshots (docs/images/inspector-*.png); without it
 * the test only asserts, so a run never rewrites committed images with another machine's fonts.
 */

const ROOT = new URL("../../../", import.meta.url).pathname;
const IMAGES = join(ROOT, "docs/images");
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";
/** Every wait in the browser: generous for a loaded 2-core machine, short of the test's own timeout. */
const STEP_MS = 15_000;

/** The screenshots the docs show, by walkthrough, in order; other steps take none. */
const SCREENSHOTS: Record<string, readonly string[]> = {
  mcp: ["add-server", "sign-in", "connected", "tools", "add-result", "divide-error"],
  sse: ["add-server", "add-result"],
  bearer: ["custom-header"],
};
const screenshotFile = (walkthrough: string, step: string) =>
  join(IMAGES, `inspector-${walkthrough}-${(SCREENSHOTS[walkthrough] ?? []).indexOf(step) + 1}-${step}.png`);

let browser: TestBrowser;

beforeAll(async () => {
  browser = await launchChromium();
  // Only loopback is reachable: the Inspector's web fonts (and anything else off-machine) fail at once
  // instead of stalling page loads until they time out.
  await browser.context.route("**/*", (route) => {
    const { hostname } = new URL(route.request().url());
    return hostname === "127.0.0.1" || hostname === "localhost" ? route.continue() : route.abort();
  });
});
afterAll(async () => {
  await browser?.close();
});

/** One walkthrough's Inspector (fresh, so nothing is carried over from another) and its browser tab. */
function inspectorTab(walkthrough: string) {
  const tab = { inspector: undefined as Inspector | undefined, page: undefined as Page | undefined };
  beforeAll(async () => {
    tab.inspector = await startInspector();
    const page = await browser.context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.setDefaultNavigationTimeout(STEP_MS);
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(tab.inspector.url);
    tab.page = page;
  });
  afterAll(async () => {
    await Promise.race([tab.page?.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await tab.inspector?.stop();
  });
  printServerLogOnFailure(() => tab.inspector);
  const page = () => tab.page as Page;
  return {
    page,
    origin: () => new URL((tab.inspector as Inspector).url).origin,
    async shot(step: string): Promise<void> {
      if (!UPDATE_SCREENSHOTS || !SCREENSHOTS[walkthrough]?.includes(step)) return;
      mkdirSync(IMAGES, { recursive: true });
      await page().screenshot({ path: screenshotFile(walkthrough, step), animations: "disabled", caret: "hide" });
    },
  };
}

/** Add Servers → + Add manually: Server ID, transport, URL; `beforeAdd` runs with the dialog filled in. */
async function addServer(page: Page, id: string, transport: string, url: string, beforeAdd?: () => Promise<void>): Promise<void> {
  await page.getByRole("button", { name: "Add Servers" }).click();
  await page.getByRole("menuitem", { name: "+ Add manually" }).click();
  const dialog = page.getByRole("dialog", { name: "Add server" });
  await dialog.getByRole("textbox", { name: /^Server ID/ }).fill(id);
  await dialog.getByRole("textbox", { name: "Transport" }).click();
  await page.getByRole("option", { name: transport, exact: true }).click();
  await dialog.getByRole("textbox", { name: /^URL/ }).fill(url);
  await beforeAdd?.();
  await dialog.getByRole("button", { name: "Add", exact: true }).click();
  await dialog.waitFor({ state: "hidden" });
  await page.getByText(url, { exact: true }).waitFor();
}

/** The server card's switch: its input sits under Mantine's track, which takes the click, as it does a user's. */
const cardSwitch = (page: Page, id: string) => page.getByRole("switch", { name: `Connect or disconnect "${id}"` });

/** The Tools tab's list, as many as its heading counts: each tool is a button ending in its name. */
async function listedTools(page: Page): Promise<string[]> {
  await page.getByText("Tools", { exact: true }).click();
  const heading = page.getByText(/^Tools \(\d+\)$/);
  await heading.waitFor();
  const count = Number(/\d+/.exec((await heading.textContent()) ?? "")?.[0]);
  const buttons = await page.locator("main").getByRole("button").allInnerTexts();
  const names = buttons.map((text) => text.trim().split(/\n+/).at(-1) ?? "").filter((name) => /^[a-z][A-Za-z0-9_]*$/.test(name));
  expect(names).toHaveLength(count);
  return names;
}

/** Fills the selected tool's fields, presses Execute Tool, and waits for `expected` in its results. */
async function execute(page: Page, fields: Record<string, string>, expected: string | RegExp): Promise<void> {
  for (const [field, value] of Object.entries(fields)) await page.getByRole("textbox", { name: new RegExp(`^${field}\\b`) }).fill(value);
  await page.getByRole("button", { name: "Execute Tool" }).click();
  await page.locator("main").getByText(expected, { exact: true }).waitFor();
}

describe("remote-mcp-server (OAuth, mock sign-in)", () => {
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({ cwd: join(ROOT, "apps/remote-mcp-server") });
  });
  afterAll(async () => {
    await server?.stop();
  });
  printServerLogOnFailure(() => server);

  describe.each([
    { walkthrough: "mcp", transport: "streamable-http", path: "/mcp" },
    { walkthrough: "sse", transport: "sse (Server-Sent Events)", path: "/sse" },
  ] as const)("MCP Inspector over $path", ({ walkthrough, transport, path }) => {
    const tab = inspectorTab(walkthrough);

    it("Add Servers → + Add manually: Server ID, transport, URL, Add", async () => {
      const page = tab.page();
      await addServer(page, "remote-mcp-server", transport, `${server.origin}${path}`, () => tab.shot("add-server"));
      expect(await cardSwitch(page, "remote-mcp-server").isChecked()).toBe(false);
    });

    it("the card's toggle connects: the server's own sign-in and consent page, then Connected", async () => {
      const page = tab.page();
      await cardSwitch(page, "remote-mcp-server").click({ force: true });
      // Not waitForURL: over SSE the Inspector may start this navigation twice, aborting the first.
      await page.getByText("MCP Inspector wants to access your account.").waitFor();
      const authorize = new URL(page.url());
      expect(authorize.origin + authorize.pathname).toBe(`${server.origin}/authorize`);
      expect(authorize.searchParams.get("resource")).toBe(server.origin);
      expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
      await page.getByLabel("Email").fill("newcomer@example.com");
      await page.getByLabel("Password").fill("any password");
      await tab.shot("sign-in");
      await page.getByRole("button", { name: "Approve" }).click();

      await page.waitForURL((url) => url.origin === tab.origin());
      await page.getByText("Connected", { exact: true }).waitFor();
      expect(await cardSwitch(page, "remote-mcp-server").isChecked()).toBe(true);
      await page.getByText("Authorization complete").waitFor();
      // The toast would cover later screenshots; it is the Inspector's, not the walkthrough's.
      await page.locator(".mantine-Notification-root").getByRole("button").click();
      await tab.shot("connected");
    });

    it("the Tools tab lists the server's tools by itself", async () => {
      expect(await listedTools(tab.page())).toEqual(["add", "calculate", "count_slowly"]);
      await tab.shot("tools");
    });

    it("Execute Tool runs `add` and shows its result, which the server logged on this transport", async () => {
      const page = tab.page();
      const before = loggedRequests(server.logs()).length;
      await page.getByRole("button", { name: /Add two numbers/ }).click();
      await execute(page, { a: "2", b: "3" }, "2 + 3 = 5");
      await tab.shot("add-result");
      // The request log's routes show the transport: /mcp, or /sse's message endpoint.
      const routes = new Set(
        loggedRequests(server.logs())
          .slice(before)
          .map((request) => request.route),
      );
      expect(routes.size).toBeGreaterThan(0);
      for (const route of routes) expect(route.startsWith(path), route).toBe(true);
    });

    it("dividing by zero comes back as the tool's error, not a failure of the connection", async () => {
      const page = tab.page();
      await page.getByRole("button", { name: /Calculator/ }).click();
      await page.getByRole("textbox", { name: /^operation/ }).click();
      await page.getByRole("option", { name: "divide", exact: true }).click();
      await execute(page, { a: "1", b: "0" }, "Cannot divide 1 by zero.");
      await page.locator("main").getByText("Tool Error", { exact: true }).waitFor();
      await tab.shot("divide-error");
      await page.getByText("Servers", { exact: true }).click();
      await page.getByText("Connected", { exact: true }).waitFor();
    });
  });
});

describe("remote-mcp-bearer-auth (API key in a custom header)", () => {
  // A key made for this run: the server keeps only its SHA-256, as API_KEYS does in production.
  const key = `mcpk_${randomBytes(18).toString("base64url")}`;
  let server: DevServer;
  beforeAll(async () => {
    server = await startDevServer({
      cwd: join(ROOT, "apps/remote-mcp-bearer-auth"),
      args: ["--env", "standalone"],
      vars: {
        BEARER_VALIDATOR: "api-keys",
        API_KEYS: JSON.stringify([{ label: "inspector", sha256: createHash("sha256").update(key).digest("hex") }]),
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });
  printServerLogOnFailure(() => server);
  const tab = inspectorTab("bearer");

  it("Settings → Custom Headers carries `Authorization: Bearer <key>`; the toggle connects without a sign-in", async () => {
    const page = tab.page();
    await addServer(page, "remote-mcp-bearer-auth", "streamable-http", `${server.origin}/mcp`);
    await page.getByRole("button", { name: "Settings", exact: true }).click();
    const settings = page.getByRole("dialog");
    await settings.getByRole("button", { name: "Custom Headers" }).click();
    await settings.getByRole("button", { name: "+ Add Header" }).click();
    await settings.getByRole("textbox", { name: "header name, row 1" }).fill("Authorization");
    await settings.getByLabel("header value, Authorization, row 1").fill(`Bearer ${key}`);
    await tab.shot("custom-header");
    // Closing saves the settings (a PUT to the Inspector's own API), after which the page reloads its
    // server list; a toggle before both have landed can connect with the settings from before.
    const saved = page.waitForResponse(
      (response) => response.request().method() === "PUT" && response.url().endsWith("/api/servers/remote-mcp-bearer-auth"),
    );
    const reloaded = page.waitForResponse((response) => response.request().method() === "GET" && response.url().endsWith("/api/servers"));
    await settings.getByRole("button", { name: "Close" }).click();
    expect((await saved).ok()).toBe(true);
    expect((await reloaded).ok()).toBe(true);
    await settings.waitFor({ state: "hidden" });

    await cardSwitch(page, "remote-mcp-bearer-auth").click({ force: true });
    await page.getByText("Connected", { exact: true }).waitFor();
    expect(new URL(page.url()).origin).toBe(tab.origin());
  });

  it("getToken says which key arrived, masked, and never echoes it", async () => {
    const page = tab.page();
    expect(await listedTools(page)).toEqual(["add", "calculate", "getToken", "get_user_data", "count_slowly"]);
    await page.getByRole("button", { name: /getToken/ }).click();
    const masked = `${key.slice(0, 4)}…${key.slice(-4)}`;
    await execute(
      page,
      {},
      new RegExp(`^Bearer token from the Authorization header: ${masked} \\(sha256:[0-9a-f]{12}\\), API key of key:inspector\\.$`),
    );
    expect(await page.locator("main").textContent()).not.toContain(key);
  });
});

describe("the docs' Inspector screenshots", () => {
  it("are committed, each one the walkthroughs above take", () => {
    for (const [walkthrough, steps] of Object.entries(SCREENSHOTS)) {
      for (const [index, step] of steps.entries()) {
        expect(existsSync(screenshotFile(walkthrough, step)), `${walkthrough} ${step} (${index + 1})`).toBe(true);
      }
    }
  });
});
