import { describe, expect, it } from "vitest";
import type { ResourceContext } from "./resource.js";
import { defineUiResource, toolUiMeta, UI_ASSETS_BINDING, UI_MIME_TYPE, UiAssetError } from "./ui.js";

const ctx = { props: undefined, scopes: [], signal: new AbortController().signal, env: { GREETING: "hi" } } as unknown as ResourceContext;

describe("MCP Apps UI resources", () => {
  it("serves HTML with the extension's MIME type and a CSP that allows no network unless it names origins", async () => {
    const offline = defineUiResource({ uri: "ui://app/view", name: "view", description: "A view.", html: "<p>x</p>" });
    expect(offline).toMatchObject({
      kind: "resource",
      mimeType: UI_MIME_TYPE,
      meta: { ui: { csp: { connectDomains: [], resourceDomains: [] } } },
    });
    expect(await offline.read(ctx)).toEqual({ text: "<p>x</p>" });
    const online = defineUiResource({
      uri: "ui://app/map",
      name: "map",
      description: "A map.",
      html: (c) => `<p>${(c.env as { GREETING: string }).GREETING}</p>`,
      csp: { connectDomains: ["https://tiles.example"] },
      permissions: { geolocation: {} },
      prefersBorder: false,
    });
    expect(online.meta).toEqual({
      ui: {
        csp: { connectDomains: ["https://tiles.example"], resourceDomains: [] },
        permissions: { geolocation: {} },
        prefersBorder: false,
      },
    });
    expect(await online.read(ctx)).toEqual({ text: "<p>hi</p>" });
  });

  it("links a tool in both the current and the first revision's form", () => {
    expect(toolUiMeta({ resourceUri: "ui://app/view", visibility: ["app"] })).toEqual({
      ui: { resourceUri: "ui://app/view", visibility: ["app"] },
      "ui/resourceUri": "ui://app/view",
    });
  });

  it("refuses a URI outside the ui:// scheme", () => {
    expect(() => defineUiResource({ uri: "ui://" as `ui://${string}`, name: "x", description: "x", html: "" })).toThrow("ui:// scheme");
  });

  it("names an asset or inline HTML, exactly one, and an asset by a plain .html file name", () => {
    const base = { uri: "ui://app/view", name: "view", description: "A view." } as const;
    expect(() => defineUiResource({ ...base } as never)).toThrow("exactly one of html (inline) or asset");
    expect(() => defineUiResource({ ...base, html: "<p>x</p>", asset: "view.html" } as never)).toThrow("exactly one of html");
    for (const asset of ["../secret.html", "dir/view.html", "view.js", ".html", ""]) {
      expect(() => defineUiResource({ ...base, asset }), asset).toThrow("expected a file name");
    }
    expect(defineUiResource({ ...base, asset: "view.html" }).mimeType).toBe(UI_MIME_TYPE);
  });

  it("says which binding to declare when the Worker has no assets binding", async () => {
    const view = defineUiResource({ uri: "ui://app/view", name: "view", description: "A view.", asset: "view.html" });
    const read = view.read({ ...ctx, env: {} });
    await expect(read).rejects.toBeInstanceOf(UiAssetError);
    await expect(read).rejects.toThrow(`no ${UI_ASSETS_BINDING} binding: declare "assets"`);
  });
});
