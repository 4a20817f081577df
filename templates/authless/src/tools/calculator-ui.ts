/// <reference path="./views.d.ts" />
import { defineUiResource, TOOLS_SCOPE } from "@remote-mcp-workers/mcp-core";
// Built from ui/calculator by build-ui (tools/build-ui.mjs); "#ui/*" is dist/ui (package.json
// "imports"). Wrangler uploads an imported .html file as a Text module beside the Worker's script.
// Each view is a subpath of its own (package.json "exports": `./views/calculator`), never
// re-exported by a shared module: wrangler uploads every .html its bundle resolves, used or not.
import calculatorView from "#ui/calculator.html";
import { CALCULATOR_UI_URI } from "./math.js";

/**
 * The calculator's MCP Apps view: the expression, its result and a history. It computes nothing
 * itself; each calculation is a `calculate` call the view makes through the host.
 */
export const calculatorUi = defineUiResource({
  uri: CALCULATOR_UI_URI,
  name: "calculator-ui",
  title: "Calculator",
  description: "An interactive calculator showing calculate's results, with a history; hosts that render MCP Apps show it with calculate.",
  html: calculatorView,
  prefersBorder: true,
  // Readable by whoever may call calculate, and refused to the same callers.
  scopes: [TOOLS_SCOPE],
  cache: { ttlMs: 300_000, scope: "public" },
});

/** What a server offering mathTools serves with them: calculate's MCP Apps view. */
export const mathResources = [calculatorUi] as const;
