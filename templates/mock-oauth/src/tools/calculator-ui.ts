import { defineUiResource, TOOLS_SCOPE } from "@remote-mcp-workers/mcp-core";

export const CALCULATOR_UI_URI = "ui://calculator/view";

/**
 * The calculator's MCP Apps view: the expression, its result and a history. It computes nothing
 * itself; each calculation is a `calculate` call the view makes through the host.
 */
export const calculatorUi = defineUiResource({
  uri: CALCULATOR_UI_URI,
  name: "calculator-ui",
  title: "Calculator",
  description: "An interactive calculator showing calculate's results, with a history; hosts that render MCP Apps show it with calculate.",
  // Built from ui/calculator by build-ui (tools/build-ui.mjs) into dist/ui, which each app's build-ui
  // copies into its own assets directory: served from Workers Static Assets, not the Worker bundle.
  asset: "calculator.html",
  prefersBorder: true,
  // Readable by whoever may call calculate, and refused to the same callers.
  scopes: [TOOLS_SCOPE],
  cache: { ttlMs: 300_000, scope: "public" },
});
