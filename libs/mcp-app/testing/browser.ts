import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext } from "playwright-core";

/** The system Chromium (Debian package); tests never download a browser. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Keeps headless Chromium off the network and away from any profile but its own. */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

export interface TestBrowser {
  context: BrowserContext;
  /** Closes Chromium and removes its profile directory. */
  close(): Promise<void>;
}

/** Headless Chromium with a fresh user-data directory, through playwright-core. */
export async function launchChromium(): Promise<TestBrowser> {
  // Loaded on demand so suites that never open a browser do not pay for playwright-core.
  const { chromium } = await import("playwright-core");
  const profile = mkdtempSync(join(tmpdir(), "mcp-e2e-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
