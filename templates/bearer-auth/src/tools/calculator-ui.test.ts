import { env } from "cloudflare:workers";
import { UI_MIME_TYPE } from "@remote-mcp-workers/mcp-core";
import { describe, expect, it } from "vitest";
import { calculatorUi, mathResources } from "./calculator-ui.js";
import { CALCULATOR_UI_URI, calculate, mathTools } from "./math.js";
import { outlineView } from "./views.testing.js";

describe("the calculator's MCP Apps view", () => {
  it("is linked from calculate and served with the tools that need it, under the same scope", () => {
    expect(calculate.ui).toEqual({ resourceUri: CALCULATOR_UI_URI });
    expect(mathResources).toContain(calculatorUi);
    expect(mathTools.filter((tool) => tool.ui).map((tool) => tool.ui?.resourceUri)).toEqual([calculatorUi.uri]);
    expect(calculatorUi.scopes).toEqual(calculate.scopes);
    expect(calculatorUi.mimeType).toBe(UI_MIME_TYPE);
  });

  it("is one self-contained document: the bundled app script and styles inline, nothing to fetch", async () => {
    const body = await calculatorUi.read({ env, signal: AbortSignal.timeout(10_000) } as never);
    const html = "text" in body && !Array.isArray(body) ? body.text : "";
    expect(outlineView(html)).toEqual({ doctype: true, scripts: [' type="module"'], styles: 2, fetchesSomething: false });
    expect(html.includes('name:"calculate"')).toBe(true);
    expect(calculatorUi.meta).toEqual({ ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } });
  });
});
