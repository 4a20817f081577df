import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import type { Page } from "playwright-core";
import { launchChromium } from "./browser.js";

/** A loopback page that renders an app's tool UI with ext-apps' host side (see apps-host/host.ts). */
export interface AppsHost {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  /** The page for one tool call: `mcp` is the app's /mcp URL; `headers` go with every MCP request (a bearer token, say). */
  url(options: { mcp: string; tool: string; arguments: Record<string, unknown>; headers?: Record<string, string> }): string;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>MCP Apps test host</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 0; padding: 16px 20px; background: #f5f5f4; color: #1c1917; width: 560px; }
  h1 { font-size: 15px; margin: 0 0 8px; }
  #log { font-size: 12px; color: #57534e; margin: 0 0 12px; padding-left: 18px; }
  #log li { overflow-wrap: anywhere; }
  iframe { width: 100%; height: 320px; border: 0; background: white; border-radius: 10px; }
  iframe.bordered { border: 1px solid #d6d3d1; }
</style>
</head>
<body data-state="loading">
<h1>MCP Apps test host (ext-apps AppBridge)</h1>
<ol id="log"></ol>
<div id="frame-slot"></div>
<script src="/host.js"></script>
</body>
</html>`;

/** Bundles the host page for the browser and serves it on a free loopback port. */
export async function startAppsHost(): Promise<AppsHost> {
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL("./apps-host/host.ts", import.meta.url))],
    bundle: true,
    write: false,
    format: "iife",
    platform: "browser",
    target: "es2022",
    logLevel: "warning",
  });
  const script = bundled.outputFiles[0]?.text ?? "";
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://host").pathname;
    if (path === "/") response.writeHead(200, { "Content-Type": "text/html; charset=utf-8" }).end(PAGE);
    else if (path === "/host.js") response.writeHead(200, { "Content-Type": "text/javascript" }).end(script);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("apps host has no address");
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    origin,
    url: ({ mcp, tool, arguments: args, headers }) =>
      `${origin}/?${new URLSearchParams({ mcp, tool, arguments: JSON.stringify(args), ...(headers && { headers: JSON.stringify(headers) }) })}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser test's view host: the host page's server and one Chromium page to open it in. */
export interface AppsHostPage {
  host: AppsHost;
  page: Page;
  /** Closes Chromium, then the host page's server. */
  close(): Promise<void>;
}

/** Starts the host page's server and headless Chromium with one page of `viewport`'s size. */
export async function openAppsHost(viewport: { width: number; height: number }): Promise<AppsHostPage> {
  const host = await startAppsHost();
  const browser = await launchChromium().catch(async (error: unknown) => {
    await host.close();
    throw error;
  });
  const page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  await page.setViewportSize(viewport);
  return {
    host,
    page,
    close: async () => {
      await browser.close();
      await host.close();
    },
  };
}
