export { add, calculate, mathTools } from "./math.js";
export {
  type AnyTool,
  defineTool,
  type TextContent,
  type ToolAnnotations,
  type ToolContext,
  type ToolDefinition,
  type ToolResult,
  toolError,
  toolResult,
} from "./tool.js";
