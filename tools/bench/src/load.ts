import autocannon from "autocannon";

/** One HTTP request shape to replay under load. */
export interface RequestShape {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** When set, every response body must equal this; a mismatch counts as an error. */
  expectBody?: string;
  /** Replace `[<id>]` in the body with a unique id per request (legacy SSE needs unique JSON-RPC ids). */
  uniqueIds?: boolean;
}

export interface LoadResult {
  connections: number;
  durationS: number;
  /** Completed 2xx responses per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  /** Connection errors, timeouts, non-2xx answers and body mismatches. */
  errors: number;
}

/**
 * Sends `count` rounds of a sequence of requests (each connection replays the sequence in order,
 * like a client opening a session), `connections` at a time; returns how many answers were not 2xx.
 */
export async function replay(origin: string, sequence: RequestShape[], count: number, connections: number): Promise<number> {
  const result = await autocannon({
    url: origin,
    connections,
    pipelining: 1,
    amount: count * sequence.length,
    timeout: 10,
    requests: sequence.map((shape) => ({
      method: shape.method,
      path: shape.path,
      headers: shape.headers,
      ...(shape.body !== undefined && { body: shape.body }),
    })),
  });
  return result.errors + result.non2xx;
}

/** Drives one request shape with autocannon at a fixed concurrency for a fixed time. */
export async function load(origin: string, shape: RequestShape, connections: number, durationS: number): Promise<LoadResult> {
  const result = await autocannon({
    url: `${origin}${shape.path}`,
    method: shape.method,
    headers: shape.headers,
    ...(shape.body !== undefined && { body: shape.body }),
    ...(shape.expectBody !== undefined && { expectBody: shape.expectBody }),
    ...(shape.uniqueIds && { idReplacement: true }),
    connections,
    pipelining: 1,
    duration: durationS,
    timeout: 10,
  });
  // A mismatched body is still counted as a 2xx by autocannon.
  const good = result["2xx"] - result.mismatches;
  return {
    connections,
    durationS: result.duration,
    rps: good / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.non2xx + result.mismatches,
  };
}
