import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { skipUnshippedSourcemaps } from "@repo/mcp-app/testing/sourcemaps";
import { defineConfig } from "vitest/config";

/** Stands in for example-user-api behind the USER_API binding: Grace's demo token is hers, anything else is 401. */
function userApi(request: Request): Response {
  const known = request.headers.get("authorization") === "Bearer uapi_demo_grace_eYWqqBY4vJ390heqIzN5jGOj";
  if (new URL(request.url).pathname !== "/me") return new Response(null, { status: 404 });
  return known
    ? Response.json({ id: 2, name: "Grace Hopper", email: "grace@example.com", role: "member" })
    : new Response(null, { status: 401 });
}

export default defineConfig({
  plugins: [
    cloudflareTest({
      // The app as wrangler.jsonc configures it (vars, Durable Object), with the user backend replaced.
      wrangler: { configPath: "./wrangler.jsonc" },
      miniflare: {
        serviceBindings: { USER_API: userApi },
        bindings: {
          API_KEYS: JSON.stringify([{ label: "ci", sha256: "72b691ea62e9e718c9bec4c8bba92a294136efce98ac25f48671ff699dd50e1a" }]),
        },
      },
    }),
    skipUnshippedSourcemaps(),
  ],
  test: {
    // Workers-runtime start-up lands on the first test; on a loaded 2-core machine it can take over 5 s.
    testTimeout: 30_000,
    include: ["src/**/*.test.ts"],
  },
});
