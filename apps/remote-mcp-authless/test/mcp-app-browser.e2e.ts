import { mkdirSync } from "node:fs";
import { type DevServer, loggedToolCalls, printServerLogOnFailure, startDevServer } from "@repo/mcp-app/testing";
import { type AppsHost, type AppsHostPage, openAppsHost } from "@repo/mcp-app/testing/apps-host";
import type { FrameLocator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The calculator's MCP App in a real browser: a host page built on ext-apps' AppBridge (the host
// side of the extension) connects to the app under `wrangler dev` over /mcp with the MCP SDK
// client, renders the UI resource in a sandboxed iframe under the CSP the resource declares, and
// the UI computes by calling `calculate` through the host. `UPDATE_SCREENSHOTS=1` also saves the
// README's screenshot (docs/images/mcp-app-calculator.png).

const SCREENSHOT = new URL("../../../docs/images/mcp-app-calculator.png", import.meta.url).pathname;

let server: DevServer;
let apps: AppsHostPage;
let host: AppsHost;
let page: Page;

beforeAll(async () => {
  server = await startDevServer({ cwd: new URL("..", import.meta.url).pathname });
  apps = await openAppsHost({ width: 600, height: 440 });
  ({ host, page } = apps);
});
afterAll(async () => {
  await apps?.close();
  await server?.stop();
});
printServerLogOnFailure(() => server);

const calculateCalls = () => loggedToolCalls(server.logs()).filter((call) => call.tool === "calculate");

describe("the calculator UI rendered by an MCP Apps host", () => {
  let app: FrameLocator;

  it("renders the UI for the model's calculate call, with the call's input and result", async () => {
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(host.url({ mcp: `${server.origin}/mcp`, tool: "calculate", arguments: { operation: "multiply", a: 6, b: 7 } }));
    await page.locator("body[data-state=ready]").waitFor();
    app = page.frameLocator("iframe#app");
    await expect.poll(() => app.locator("#result").textContent()).toBe("42");
    expect(await app.locator("#expression").textContent()).toBe("6 × 7 =");
    expect(await app.locator("#history li").allTextContents()).toEqual(["6 × 7 = 42"]);
    expect(await page.locator("iframe#app").getAttribute("sandbox")).toBe("allow-scripts");
    expect(errors).toEqual([]);
  });

  it("computes through the host: the UI's calculate call reaches the server and its result shows in the UI", async () => {
    const before = calculateCalls().length;
    await app.locator("#a").fill("1234");
    await app.locator("#operation").selectOption("add");
    await app.locator("#b").fill("4321");
    await app.locator("#equals").click();
    await expect.poll(() => app.locator("#result").textContent()).toBe("5555");
    expect(await app.locator("#history li").allTextContents()).toEqual(["1234 + 4321 = 5555", "6 × 7 = 42"]);
    expect(await app.locator("#status").textContent()).toBe("Computed by the server's calculate tool.");
    await expect.poll(() => calculateCalls().length).toBe(before + 1);
    expect(calculateCalls().at(-1)?.outcome).toBe("ok");
  });

  it("shows the server's tool error as the UI's result", async () => {
    await app.locator("#a").fill("1");
    await app.locator("#operation").selectOption("divide");
    await app.locator("#b").fill("0");
    await app.locator("#equals").click();
    await expect.poll(() => app.locator("#result").textContent()).toBe("Cannot divide 1 by zero.");
    expect(calculateCalls().at(-1)?.outcome).toBe("tool_error");
    // Back to a result worth a screenshot.
    await app.locator("#a").fill("19.5");
    await app.locator("#operation").selectOption("multiply");
    await app.locator("#b").fill("4");
    await app.locator("#equals").click();
    await expect.poll(() => app.locator("#result").textContent()).toBe("78");
    if (process.env.UPDATE_SCREENSHOTS === "1") {
      mkdirSync(new URL(".", `file://${SCREENSHOT}`).pathname, { recursive: true });
      await page.screenshot({ path: SCREENSHOT, animations: "disabled", caret: "hide", fullPage: true });
    }
  });
});
