/** One request line of the structured log libs/mcp-app writes (src/log.ts). */
export interface LoggedRequest {
  method: string;
  route: string;
  status: number;
}

/** The requests an app logged, in order, from a dev server's output (other lines are ignored). */
export function loggedRequests(output: string): LoggedRequest[] {
  const requests: LoggedRequest[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const entry = JSON.parse(line) as Partial<LoggedRequest>;
      if (typeof entry.method === "string" && typeof entry.route === "string" && typeof entry.status === "number") {
        requests.push({ method: entry.method, route: entry.route, status: entry.status });
      }
    } catch {
      // wrangler's own lines and partial chunks are not ours
    }
  }
  return requests;
}
