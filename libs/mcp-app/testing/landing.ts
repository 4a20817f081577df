import { mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type TestBrowser } from "./browser.js";
import type { ContractServer } from "./contract.js";
import { printServerLogOnFailure } from "./failures.js";

export interface LandingPageOptions {
  /** The app's package name; the page must show it. */
  name: string;
  /** The app directory: its wrangler.jsonc's `dev.port` is the origin the page is shown at. */
  appDir: string;
  /** Starts the app once for the suite; stopped after it. */
  start: () => Promise<ContractServer>;
  /** Every tool the page must list (each with a description), and no other. */
  expectedTools: readonly string[];
  /** Where to save a full-page screenshot for the docs (e.g. docs/images/<app>.png). */
  screenshot?: string;
}

export interface LandingSnippet {
  /** The `<pre>` element's id: url-mcp, url-sse, claude-config. */
  id: string;
  text: string;
}

export interface LandingPageContent {
  heading: string;
  /** The line under the heading: server name, version and auth style. */
  meta: string;
  tools: Array<{ name: string; description: string }>;
  /** The connection snippets, in page order. */
  snippets: LandingSnippet[];
  /** The MCP Inspector steps under the /mcp URL. */
  inspector: string;
}

/** The port `wrangler dev` serves the app on (`dev.port` in its wrangler.jsonc), as the docs show it. */
export function documentedPort(appDir: string): number {
  const text = readFileSync(join(appDir, "wrangler.jsonc"), "utf8");
  // Line comments only start outside strings; a URL's "//" sits inside one.
  const json = text.replace(/("(?:[^"\\]|\\.)*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (_, string: string | undefined) => string ?? "");
  const port = (JSON.parse(json.replace(/,(\s*[}\]])/g, "$1")) as { dev?: { port?: number } }).dev?.port;
  if (typeof port !== "number") throw new Error(`${appDir}/wrangler.jsonc has no dev.port`);
  return port;
}

/**
 * Opens the landing page as a developer sees it under `nx dev`: the browser asks for
 * http://localhost:<dev.port>/ and each request is answered by the server under test with that
 * Host, so the page (and its snippets) show the documented URL while the test runs on a free port.
 */
export async function openLandingPage(browser: TestBrowser, serverOrigin: string, shownOrigin: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.route(`${shownOrigin}/**`, async (route) => {
    const request = route.request();
    const url = serverOrigin + request.url().slice(shownOrigin.length);
    const response = await route.fetch({ url, headers: { ...request.headers(), host: new URL(shownOrigin).host } });
    await route.fulfill({ response });
  });
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: shownOrigin });
  const response = await page.goto(`${shownOrigin}/`);
  expect(response?.status()).toBe(200);
  return page;
}

/** What the page shows: heading, meta line, tools with descriptions, and the connection snippets. */
export async function readLandingPage(page: Page): Promise<LandingPageContent> {
  return {
    heading: (await page.locator("h1").textContent())?.trim() ?? "",
    meta: (await page.locator("p.meta").textContent())?.trim() ?? "",
    tools: await page.locator("#tools > li").evaluateAll((items) =>
      items.map((item) => {
        const name = item.querySelector("code")?.textContent ?? "";
        const text = item.textContent ?? "";
        return {
          name,
          description: text
            .slice(text.indexOf(name) + name.length)
            .replace(/^:\s*/, "")
            .trim(),
        };
      }),
    ),
    snippets: await page.locator(".snippet pre").evaluateAll((pres) => pres.map((pre) => ({ id: pre.id, text: pre.textContent ?? "" }))),
    inspector: (await page.locator("#inspector").textContent())?.trim() ?? "",
  };
}

/** Clicks the Copy button next to a snippet and returns what landed on the clipboard. */
export async function copySnippet(page: Page, id: string): Promise<string> {
  // Expressions as strings: this package compiles without the DOM types.
  await page.evaluate('navigator.clipboard.writeText("")');
  const button = page.locator(`button[data-copy="${id}"]`);
  await button.click();
  await expect.poll(() => button.textContent()).toBe("Copied");
  const copied: unknown = await page.evaluate("navigator.clipboard.readText()");
  return typeof copied === "string" ? copied : "";
}

/**
 * Registers the landing-page checks every app's e2e runs, in headless Chromium: the page names the
 * server, lists its tools with their descriptions, and every connection snippet's Copy button puts
 * exactly that snippet on the clipboard. Saves a screenshot for the docs when asked.
 */
export function landingPageSuite(options: LandingPageOptions): void {
  const shownOrigin = `http://localhost:${documentedPort(options.appDir)}`;

  describe(`${options.name}: landing page in Chromium`, () => {
    let server: ContractServer | undefined;
    let browser: TestBrowser | undefined;
    let page: Page;
    let content: LandingPageContent;

    beforeAll(async () => {
      server = await options.start();
      browser = await launchChromium();
      page = await openLandingPage(browser, server.origin, shownOrigin);
      content = await readLandingPage(page);
      if (options.screenshot) {
        mkdirSync(dirname(options.screenshot), { recursive: true });
        await page.screenshot({ path: options.screenshot, fullPage: true });
      }
    });
    afterAll(async () => {
      await browser?.close();
      await server?.stop();
    });
    printServerLogOnFailure(() => server);

    it("shows the server's name", () => {
      expect(content.heading).not.toBe("");
      expect(content.meta).toContain(options.name);
    });

    it("lists exactly the expected tools, each with a description", () => {
      expect(content.tools.map((tool) => tool.name).sort()).toEqual([...options.expectedTools].sort());
      for (const tool of content.tools) expect(tool.description, tool.name).not.toBe("");
    });

    it(`shows connection snippets for ${shownOrigin}, the URL the docs give`, () => {
      const byId = Object.fromEntries(content.snippets.map((snippet) => [snippet.id, snippet.text]));
      expect(byId["url-mcp"]).toBe(`${shownOrigin}/mcp`);
      expect(byId["url-sse"]).toBe(`${shownOrigin}/sse`);
      const config = JSON.parse(byId["claude-config"] ?? "{}") as { mcpServers?: Record<string, { command: string; args: string[] }> };
      const entry = config.mcpServers?.[options.name];
      expect(entry?.command).toBe("npx");
      expect(entry?.args.slice(0, 2)).toEqual(["mcp-remote", `${shownOrigin}/mcp`]);
    });

    it("leads with the /mcp URL and MCP Inspector's steps, then mcp-remote for stdio-only clients, then the legacy /sse", () => {
      expect(content.snippets.map((snippet) => snippet.id).slice(0, 3)).toEqual(["url-mcp", "claude-config", "url-sse"]);
      expect(content.inspector).toMatch(
        /^MCP Inspector \(npx @modelcontextprotocol\/inspector\): Add Servers → \+ Add manually, transport streamable-http, the URL above, Add/,
      );
    });

    it("each Copy button puts its snippet on the clipboard", async () => {
      expect(content.snippets.length).toBeGreaterThan(0);
      for (const snippet of content.snippets) {
        expect(await copySnippet(page, snippet.id), snippet.id).toBe(snippet.text);
      }
    });
  });
}
