import { mcpContract } from "@repo/mcp-app/testing";
import { inject } from "vitest";
import { TOKENS } from "./demo.js";
import { startWithUserApi } from "./dev.js";

mcpContract({
  name: "remote-mcp-bearer-auth",
  start: () => startWithUserApi(inject("seededState"), {}),
  auth: { headers: { Authorization: `Bearer ${TOKENS.ada}` } },
  expectedTools: ["add", "calculate", "getToken", "get_user_data", "count_slowly"],
});
