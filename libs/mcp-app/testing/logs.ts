/** One request line of the structured log libs/mcp-app writes (src/log.ts, guarded() in src/app.ts). */
export interface LoggedRequest {
  method: string;
  route: string;
  status: number;
  /** The rest of the line: app, ms, and clientId, userId, tool, outcome where the app knew them. */
  [field: string]: unknown;
}

/**
 * The requests an app logged, in order, from a dev server's output (other lines are ignored). A line
 * may carry wrangler's "[worker-name] " prefix when one session runs several Workers.
 */
export function loggedRequests(output: string): LoggedRequest[] {
  const requests: LoggedRequest[] = [];
  for (const line of output.split("\n")) {
    const json = /^(?:\[[\w-]+\] )?(\{.*\})\s*$/.exec(line)?.[1];
    if (!json) continue;
    try {
      const entry = JSON.parse(json) as Partial<LoggedRequest>;
      if (typeof entry.method === "string" && typeof entry.route === "string" && typeof entry.status === "number") {
        requests.push(entry as LoggedRequest);
      }
    } catch {
      // wrangler's own lines and partial chunks are not ours
    }
  }
  return requests;
}
