export { COUNT_LIMITS, countSlowly, sleep } from "./count.js";
export { demoPrompts, demoResources, demoTools } from "./demo.js";
export { FULLY_MASKED, getToken, MIN_PARTLY_SHOWN_LENGTH, maskToken, tokenFingerprint } from "./get-token.js";
export { GitHubCaller, githubTools, githubUserData, whoamiAdmin } from "./github-user.js";
export { renderUsageGuide, USAGE_GUIDE_URI, usageGuide } from "./guide.js";
export { LESSON_TOPICS, mathLesson } from "./lesson.js";
export { add, CALCULATOR_UI_URI, calculate, mathTools } from "./math.js";
export {
  DEFAULT_USER_API_TIMEOUT_MS,
  getUserData,
  lookUpUser,
  PROFILE_UI_URI,
  User,
  type UserApiEnv,
  type UserLookup,
  userApiEnv,
  userForCredential,
} from "./user-data.js";
