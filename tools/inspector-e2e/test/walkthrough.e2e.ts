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
 * (the pinned devDependency) in headless Chromium, against remote-mcp-server under wrangler dev.
 * Add the server by hand, toggle it on, sign in and consent, list the tools, run `add`, divide by zero:
 * over Streamable HTTP (/mcp), then over the legacy SSE transport (/sse).
 *
 * `UPDATE_SCREENSHOTS=1` also saves the docs' screenshots (docs/images/inspector-*.png); without it
 * the test only asserts, so a run never rewrites committed images with another machine's fonts.
 */

const ROOT = new URL("../../../", import.meta.url).pathname;
const APP_DIR = join(ROOT, "apps/remote-mcp-server");
const IMAGES = join(ROOT, "docs/images");
const UPDATE_SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === "1";
/** Every wait in the browser: generous for a loaded 2-core machine, short of the test's own timeout. */
const STEP_MS = 15_000;

/** The screenshots the docs show, by transport, in walkthrough order; other steps take none. */
const SCREENSHOTS: Record<string, readonly string[]> = {
  mcp: ["add-server", "sign-in", "connected", "tools", "add-result", "divide-error"],
  sse: ["add-server", "add-result"],
};
const screenshotFile = (transport: string, step: string) =>
  join(IMAGES, `inspector-${transport}-${(SCREENSHOTS[transport] ?? []).indexOf(step) + 1}-${step}.png`);

const TRANSPORTS = [
  { name: "mcp", option: "streamable-http", path: "/mcp" },
  { name: "sse", option: "sse (Server-Sent Events)", path: "/sse" },
] as const;

let server: DevServer;
let browser: TestBrowser;

beforeAll(async () => {
  [server, browser] = await Promise.all([startDevServer({ cwd: APP_DIR }), launchChromium()]);
  // Only loopback is reachable: the Inspector's web fonts (and anything else off-machine) fail at once
  // instead of stalling page loads until they time out.
  await browser.context.route("**/*", (route) => {
    const { hostname } = new URL(route.request().url());
    return hostname === "127.0.0.1" || hostname === "localhost" ? route.continue() : route.abort();
  });
});
afterAll(async () => {
  await Promise.all([browser?.close(), server?.stop()]);
});
printServerLogOnFailure(() => server);

describe.each(TRANSPORTS)("MCP Inspector over $path", ({ name, option, path }) => {
  let inspector: Inspector;
  let page: Page;
  const serverUrl = () => `${server.origin}${path}`;

  async function shot(step: string): Promise<void> {
    if (!UPDATE_SCREENSHOTS || !SCREENSHOTS[name]?.includes(step)) return;
    mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: screenshotFile(name, step), animations: "disabled", caret: "hide" });
  }

  /** Fills the selected tool's fields, presses Execute Tool, and waits for `expected` in its results. */
  async function execute(fields: Record<string, string>, expected: string): Promise<void> {
    for (const [field, value] of Object.entries(fields)) await page.getByRole("textbox", { name: new RegExp(`^${field}\\b`) }).fill(value);
    await page.getByRole("button", { name: "Execute Tool" }).click();
    await page.locator("main").getByText(expected, { exact: true }).waitFor();
  }

  beforeAll(async () => {
    // A fresh Inspector for each transport: no client registration or token carried over, so each signs in.
    inspector = await startInspector();
    page = await browser.context.newPage();
    page.setDefaultTimeout(STEP_MS);
    page.setDefaultNavigationTimeout(STEP_MS);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
  afterAll(async () => {
    await Promise.race([page?.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
    await inspector?.stop();
  });
  printServerLogOnFailure(() => inspector);

  it("Add Servers → + Add manually: Server ID, transport, URL, Add", async () => {
    await page.goto(inspector.url);
    await page.getByRole("button", { name: "Add Servers" }).click();
    await page.getByRole("menuitem", { name: "+ Add manually" }).click();
    const dialog = page.getByRole("dialog", { name: "Add server" });
    await dialog.getByRole("textbox", { name: /^Server ID/ }).fill("remote-mcp-server");
    await dialog.getByRole("textbox", { name: "Transport" }).click();
    await page.getByRole("option", { name: option, exact: true }).click();
    await dialog.getByRole("textbox", { name: /^URL/ }).fill(serverUrl());
    await shot("add-server");
    await dialog.getByRole("button", { name: "Add", exact: true }).click();
    await dialog.waitFor({ state: "hidden" });

    const card = page.getByRole("switch", { name: 'Connect or disconnect "remote-mcp-server"' });
    expect(await card.isChecked()).toBe(false);
    await page.getByText(serverUrl(), { exact: true }).waitFor();
  });

  it("the card's toggle connects: the server's own sign-in and consent page, then Connected", async () => {
    // The switch's input sits under Mantine's track, which takes the click, as it does a user's.
    await page.getByRole("switch", { name: 'Connect or disconnect "remote-mcp-server"' }).click({ force: true });
    // Not waitForURL: over SSE the Inspector may start this navigation twice, aborting the first.
    await page.getByText("MCP Inspector wants to access your account.").waitFor();
    const authorize = new URL(page.url());
    expect(authorize.origin + authorize.pathname).toBe(`${server.origin}/authorize`);
    expect(authorize.searchParams.get("resource")).toBe(server.origin);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    await page.getByLabel("Email").fill("newcomer@example.com");
    await page.getByLabel("Password").fill("any password");
    await shot("sign-in");
    await page.getByRole("button", { name: "Approve" }).click();

    await page.waitForURL((url) => url.href.startsWith(new URL(inspector.url).origin));
    await page.getByText("Connected", { exact: true }).waitFor();
    expect(await page.getByRole("switch", { name: 'Connect or disconnect "remote-mcp-server"' }).isChecked()).toBe(true);
    await page.getByText("Authorization complete").waitFor();
    // The toast would cover later screenshots; it is the Inspector's, not the walkthrough's.
    await page.locator(".mantine-Notification-root").getByRole("button").click();
    await shot("connected");
  });

  it("the Tools tab lists the server's tools by itself", async () => {
    await page.getByText("Tools", { exact: true }).click();
    await page.getByText("Tools (3)", { exact: true }).waitFor();
    // Each tool is a button showing its title, then its name.
    const buttons = await page.locator("main").getByRole("button").allInnerTexts();
    const names = buttons
      .map((text) => text.trim().split(/\n+/))
      .filter((lines) => lines.length === 2 && /^[a-z_]+$/.test(lines[1] as string));
    expect(names.map(([, tool]) => tool)).toEqual(["add", "calculate", "count_slowly"]);
    await shot("tools");
  });

  it("Execute Tool runs `add` and shows its result, which the server logged on this transport", async () => {
    const before = loggedRequests(server.logs()).length;
    await page.getByRole("button", { name: /Add two numbers/ }).click();
    await execute({ a: "2", b: "3" }, "2 + 3 = 5");
    await shot("add-result");
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
    await page.getByRole("button", { name: /Calculator/ }).click();
    await page.getByRole("textbox", { name: /^operation/ }).click();
    await page.getByRole("option", { name: "divide", exact: true }).click();
    await execute({ a: "1", b: "0" }, "Cannot divide 1 by zero.");
    await page.locator("main").getByText("Tool Error", { exact: true }).waitFor();
    await shot("divide-error");
    await page.getByText("Servers", { exact: true }).click();
    await page.getByText("Connected", { exact: true }).waitFor();
  });
});

describe("the docs' Inspector screenshots", () => {
  it("are committed, each one the walkthrough above takes", () => {
    for (const [name, steps] of Object.entries(SCREENSHOTS)) {
      for (const [index, step] of steps.entries()) {
        expect(existsSync(screenshotFile(name, step)), `${name} ${step} (${index + 1})`).toBe(true);
      }
    }
  });
});
