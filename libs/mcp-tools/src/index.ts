export { COUNT_LIMITS, countSlowly, sleep } from "./count.js";
export { demoPrompts, demoResources, demoTools } from "./demo.js";
export { BearerProps, FULLY_MASKED, getToken, MIN_PARTLY_SHOWN_LENGTH, maskToken, tokenFingerprint } from "./get-token.js";
export { GitHubCaller, githubTools, githubUserData, whoamiAdmin } from "./github-user.js";
export { renderUsageGuide, USAGE_GUIDE_URI, usageGuide } from "./guide.js";
export {
  ask,
  capabilityFor,
  clientSupports,
  type ElicitationSchema,
  type ElicitInputRequest,
  elicitation,
  elicited,
  type InputContext,
  type InputRequest,
  type InputRequiredResult,
  inputRequired,
  isInputRequired,
  listedRoots,
  type RootsInputRequest,
  type SamplingInputRequest,
  type SamplingMessage,
  sampledText,
} from "./input.js";
export { LESSON_TOPICS, mathLesson } from "./lesson.js";
export { add, calculate, mathTools } from "./math.js";
export {
  type AnyPrompt,
  definePrompt,
  type PromptContext,
  type PromptDefinition,
  type PromptMessage,
  type PromptResult,
  userMessages,
} from "./prompt.js";
export {
  type AnyResource,
  type CacheHint,
  type Completer,
  completeFrom,
  defineResource,
  defineResourceTemplate,
  type ResourceBody,
  type ResourceContext,
  type ResourceDefinition,
  ResourceNotFound,
  type ResourceTemplateDefinition,
  resourceNotFound,
  type ServerSummary,
} from "./resource.js";
export {
  type AnyTool,
  type ArgsOf,
  type AudioContent,
  type ContentBlock,
  defineTool,
  type EmbeddedResource,
  type ImageContent,
  isJsonSchemaInput,
  type JsonSchemaInput,
  jsonSchemaInput,
  type ResourceContents,
  type ResourceLink,
  type TextContent,
  TOOLS_SCOPE,
  type ToolAnnotations,
  type ToolContext,
  type ToolDefinition,
  type ToolInput,
  type ToolResult,
  type ToolReturn,
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
