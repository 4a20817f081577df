import { describe, expect, it } from "vitest";
import type { AttackContext } from "./context.js";
import { UI_MIME_TYPE, versionHeader } from "./shared.js";

/**
 * MCP Apps views are Text modules uploaded beside the Worker's script (defineUiResource's `html`
 * from an imported `.html` file), so nothing but the Worker answers for them: a view is reachable
 * only as its ui:// resource, under its tools' scopes, and a GET of any path a view might be
 * guessed at is the Worker's own 404, never the document.
 */
export function viewCases(ctx: AttackContext): void {
  describe("MCP Apps views", () => {
    it("are served as their ui:// resources and by no URL of their own", async ({ skip }) => {
      const { body: listed } = await ctx.mcpPost(
        { jsonrpc: "2.0", id: 8, method: "resources/list" },
        { ...ctx.credentials, ...versionHeader },
      );
      const views = (JSON.parse(listed).result.resources as Array<{ uri: string; name: string; mimeType?: string }>).filter(
        (resource) => resource.mimeType === UI_MIME_TYPE,
      );
      if (views.length === 0) skip("this app serves no MCP Apps views");
      for (const { uri, name } of views) {
        const { body } = await ctx.mcpPost(
          { jsonrpc: "2.0", id: 9, method: "resources/read", params: { uri } },
          { ...ctx.credentials, ...versionHeader },
        );
        const view: string = JSON.parse(body).result.contents[0].text;
        // Compared, not matched: a failure would print a 400 KB document.
        expect(/^<!doctype html>/i.test(view), `${uri} is an HTML document`).toBe(true);
        const { host, pathname } = new URL(uri);
        const stems = new Set([host, ...pathname.split("/").filter(Boolean), name]);
        const paths = [`/${host}${pathname}`];
        for (const stem of stems) {
          paths.push(`/${stem}`, `/${stem}.html`, `/${stem}.html/`, `/ui/${stem}.html`, `/dist/ui/${stem}.html`, `/assets/${stem}.html`);
        }
        for (const path of paths) {
          const { response, body } = await ctx.send(`GET ${path}`, `${ctx.origin}${path}`, { headers: ctx.credentials });
          expect(response.status, `GET ${path}`).toBe(404);
          expect(body === view, `GET ${path} answered with the view`).toBe(false);
          expect(body.includes("<script"), `GET ${path} answered with a script`).toBe(false);
        }
      }
    });
  });
}
