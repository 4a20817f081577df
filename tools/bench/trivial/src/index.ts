/**
 * The benchmark's baseline: the least a Worker can do to answer an MCP-sized POST. Every figure
 * in docs/benchmarks.md is also given as a ratio to this Worker measured in the same run.
 */
const BODY = JSON.stringify({ jsonrpc: "2.0", id: 1, result: { content: [{ type: "text", text: "2 + 3 = 5" }] } });

export default {
  async fetch(): Promise<Response> {
    return new Response(BODY, { headers: { "Content-Type": "application/json" } });
  },
} satisfies ExportedHandler;
