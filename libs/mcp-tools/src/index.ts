export { BearerProps, FULLY_MASKED, getToken, MIN_PARTLY_SHOWN_LENGTH, maskToken, tokenFingerprint } from "./get-token.js";
export { GitHubCaller, githubTools, githubUserData, whoamiAdmin } from "./github-user.js";
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
export {
  DEFAULT_USER_API_TIMEOUT_MS,
  getUserData,
  lookUpUser,
  User,
  type UserApiEnv,
  type UserLookup,
  userApiEnv,
  userForCredential,
} from "./user-data.js";
