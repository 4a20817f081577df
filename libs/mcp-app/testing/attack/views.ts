import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AttackContext } from "./context.js";
import { readWranglerConfig, UI_MIME_TYPE, versionHeader } from "./shared.js";

interface AssetsConfig {
  directory?: string;
  binding?: string;
  run_worker_first?: boolean | string[];
}
type Section = { assets?: AssetsConfig };

/**
 * MCP Apps views live in the Worker's static assets (tools/build-ui.mjs, defineUiResource's
 * `asset`), but are reachable only as their ui:// resources, under their tools' scopes: every
 * environment sends every request to the Worker first, and a direct GET of a view's file is the
 * Worker's own 404, never the document.
 */
export function viewCases(ctx: AttackContext): void {
  const config = readWranglerConfig<Section & { env?: Record<string, Section> }>(ctx.options.wranglerConfig);
  const assets = config.assets;

  describe("MCP Apps views in static assets", () => {
    it("every environment reads them through UI_ASSETS with run_worker_first: true, so no request is answered from them directly", async () => {
      const { body } = await ctx.mcpPost({ jsonrpc: "2.0", id: 8, method: "resources/list" }, { ...ctx.credentials, ...versionHeader });
      const uis = (JSON.parse(body).result.resources as Array<{ mimeType?: string }>).filter(
        (resource) => resource.mimeType === UI_MIME_TYPE,
      );
      // An app without views needs no assets; one with views must have them.
      expect(assets !== undefined).toBe(uis.length > 0);
      if (!assets) return;
      for (const [name, section] of [["top level", config] as const, ...Object.entries(config.env ?? {})]) {
        expect(section.assets, name).toEqual(assets);
      }
      expect(assets).toMatchObject({ binding: "UI_ASSETS", run_worker_first: true });
    });

    it.skipIf(!assets)("a direct GET of a view's file is the Worker's 404, not the view; resources/read serves the same file", async () => {
      const directory = new URL(`${assets?.directory}/`, ctx.options.wranglerConfig);
      const files = readdirSync(directory).filter((file) => file.endsWith(".html"));
      expect(files.length).toBeGreaterThan(0);
      const { body: listed } = await ctx.mcpPost(
        { jsonrpc: "2.0", id: 8, method: "resources/list" },
        { ...ctx.credentials, ...versionHeader },
      );
      const uris = (JSON.parse(listed).result.resources as Array<{ uri: string; mimeType?: string }>)
        .filter((resource) => resource.mimeType === UI_MIME_TYPE)
        .map((resource) => resource.uri);
      const served = new Set<string>();
      for (const uri of uris) {
        const { body } = await ctx.mcpPost(
          { jsonrpc: "2.0", id: 9, method: "resources/read", params: { uri } },
          { ...ctx.credentials, ...versionHeader },
        );
        served.add(JSON.parse(body).result.contents[0].text);
      }
      for (const file of files) {
        const view = readFileSync(new URL(file, directory), "utf8");
        // Compared, not matched: a failure would print a 400 KB document.
        expect(served.has(view), `${file} is served as a ui:// resource`).toBe(true);
        for (const path of [`/${file}`, `/${file.slice(0, -".html".length)}`, `/${file}/`]) {
          const { response, body } = await ctx.send(`GET ${path}`, `${ctx.origin}${path}`, { headers: ctx.credentials });
          expect(response.status, `GET ${path}`).toBe(404);
          expect(body === view, `GET ${path} answered with the view`).toBe(false);
          expect(body.includes("<script"), `GET ${path} answered with a script`).toBe(false);
        }
      }
    });
  });
}
