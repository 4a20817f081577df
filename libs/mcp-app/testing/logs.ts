/** One request line of the structured log libs/mcp-app writes (src/log.ts, guarded() in src/pipeline.ts). */
export interface LoggedRequest {
  method: string;
  route: string;
  status: number;
  /** The rest of the line: app, ms, and clientId, userId, tool, outcome where the app knew them. */
  [field: string]: unknown;
}

/** One tool call the server layer logged (src/server.ts): how it ended and how long it ran. */
export interface LoggedToolCall {
  event: "tool";
  tool: string;
  /** "ok", "tool_error" (a cancelled call or an exception included: then `error` names it), "protocol_error" or "input_required". */
  outcome: string;
  ms: number;
  [field: string]: unknown;
}

/**
 * The JSON objects of a dev server's output, one a line, in order (other lines are ignored). A line
 * may carry wrangler's "[worker-name] " prefix when one session runs several Workers.
 */
function jsonLines(output: string): Record<string, unknown>[] {
  const entries: Record<string, unknown>[] = [];
  for (const line of output.split("\n")) {
    const json = /^(?:\[[\w-]+\] )?(\{.*\})\s*$/.exec(line)?.[1];
    if (!json) continue;
    try {
      entries.push(JSON.parse(json) as Record<string, unknown>);
    } catch {
      // wrangler's own lines and partial chunks are not ours
    }
  }
  return entries;
}

/** The requests an app logged, in order, from a dev server's output. */
export function loggedRequests(output: string): LoggedRequest[] {
  return jsonLines(output).filter(
    (entry): entry is LoggedRequest =>
      typeof entry.method === "string" && typeof entry.route === "string" && typeof entry.status === "number",
  );
}

/** The tool calls an app logged, in order, from a dev server's output. */
export function loggedToolCalls(output: string): LoggedToolCall[] {
  return jsonLines(output).filter(
    (entry): entry is LoggedToolCall => entry.event === "tool" && typeof entry.tool === "string" && typeof entry.ms === "number",
  );
}
