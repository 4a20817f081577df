/**
 * The MCP Apps views and the resources that serve them, apart from the tools: each view is a Text
 * module build-ui builds, and a server that imports none of them uploads none.
 */
export { calculatorUi, mathResources } from "./calculator-ui.js";
