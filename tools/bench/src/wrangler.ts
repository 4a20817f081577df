import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type DevServer, type DevServerOptions, startDevServer } from "@repo/mcp-app/testing";

/**
 * `wrangler dev` for measuring: @repo/mcp-app/testing's startDevServer with wrangler's own request
 * log off (`--log-level error`) and wrangler run directly, not through `pnpm exec`, whose
 * dependency check would count as start-up time.
 */

const BENCH_DIR = dirname(dirname(fileURLToPath(import.meta.url)));
export const ROOT = dirname(dirname(BENCH_DIR));
export const WRANGLER = join(BENCH_DIR, "node_modules", ".bin", "wrangler");

// On Ctrl-C or a kill, exit through process.exit so startDevServer's exit hook stops every server.
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

export type BenchServer = DevServer;

export function startBenchServer(options: Pick<DevServerOptions, "cwd" | "vars" | "args">): Promise<BenchServer> {
  return startDevServer({ ...options, logLevel: "error", wrangler: WRANGLER });
}
