import { env } from "cloudflare:workers";
import { UI_MIME_TYPE } from "@remote-mcp-workers/mcp-core";
import { describe, expect, it } from "vitest";
import { calculatorUi, mathResources } from "./calculator-ui.js";
import { CALCULATOR_UI_URI, calculate, mathTools } from "./math.js";

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
    // Matched in code, not with toMatch: a failure would print the whole 400 KB document.
    expect(html.startsWith("<!doctype html>")).toBe(true);
    const scripts = [...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1]);
    expect(scripts).toEqual([' type="module"']);
    expect(html.includes('name:"calculate"')).toBe(true);
    const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map((match) => match[1] ?? "");
    expect(styles).toHaveLength(1);
    // No external script, stylesheet, image or font: the declared CSP allows no origin.
    expect(/<(link|img|iframe)\b/i.test(html)).toBe(false);
    expect(styles.some((css) => /@import|url\(/i.test(css))).toBe(false);
    expect(calculatorUi.meta).toEqual({ ui: { csp: { connectDomains: [], resourceDomains: [] }, prefersBorder: true } });
  });
});
