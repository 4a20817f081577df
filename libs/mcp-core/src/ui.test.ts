import { describe, expect, it } from "vitest";
import type { ResourceContext } from "./resource.js";
import { defineUiResource, toolUiMeta, UI_MIME_TYPE } from "./ui.js";

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

  it("refuses a view without its HTML, which a missing or empty build would otherwise serve", () => {
    const base = { uri: "ui://app/view", name: "view", description: "A view." } as const;
    for (const html of [undefined, "", 42]) {
      expect(() => defineUiResource({ ...base, html } as never), String(html)).toThrow("ui://app/view needs its HTML");
    }
  });
});
