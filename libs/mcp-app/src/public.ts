import { anonymous } from "@repo/mcp-core";
import * as z from "zod";
import type { AuthStyle } from "./app.js";

/** No auth: anyone may call every tool the server lists (public data, no side effects). */
export function publicAccess<Env>(label = "none (public)"): AuthStyle<Env> {
  return () => ({
    label,
    props: z.undefined(),
    free: true,
    authenticate: async (request) => ({ caller: anonymous, request }),
  });
}
