import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
// The seed is one statement per line; comments and blank lines are skipped.
const statements = env.TEST_SEED.split("\n").filter((line) => line.trim() && !line.startsWith("--"));
await env.DB.batch(statements.map((statement) => env.DB.prepare(statement)));
