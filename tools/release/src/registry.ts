import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, spawnGroup } from "@repo/mcp-app/testing";
import { stringify } from "yaml";

const VERDACCIO = fileURLToPath(new URL("../node_modules/.bin/verdaccio", import.meta.url));

/** A real npm registry (Verdaccio) on loopback, with its own storage, for one test run. */
export interface LocalRegistry {
  /** e.g. http://127.0.0.1:41234/ */
  url: string;
  /** An npmrc pointing npm at this registry, with the token npm insists on before it publishes. */
  npmrc: string;
  /** The environment for npm commands against this registry: the caller's, minus any npm_config_* it inherited. */
  env: NodeJS.ProcessEnv;
  logs(): string;
  stop(): Promise<void>;
}

/** The environment minus npm/pnpm settings inherited from a package-manager script (a registry among them). */
export function withoutNpmConfig(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key) && !/^pnpm_/i.test(key)));
}

/**
 * Starts Verdaccio on a free loopback port. Packages under `scope` are served only from what is
 * published to it (never looked up upstream); every other package is proxied to the registry npm is
 * configured with on this machine (read at run time, never written into the repo).
 */
export async function startRegistry(scope: string, timeoutMs = 60_000): Promise<LocalRegistry> {
  const dir = mkdtempSync(join(tmpdir(), "mcp-registry-"));
  const clean = withoutNpmConfig(process.env);
  const upstream = execFileSync("npm", ["config", "get", "registry"], { encoding: "utf8", env: clean }).trim();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    stringify({
      storage: join(dir, "storage"),
      auth: { htpasswd: { file: join(dir, "htpasswd"), max_users: -1 } },
      uplinks: { upstream: { url: upstream, timeout: "120s", maxage: "30m" } },
      packages: {
        [`${scope}/*`]: { access: "$all", publish: "$anonymous" },
        "**": { access: "$all", publish: "$anonymous", proxy: "upstream" },
      },
      server: { keepAliveTimeout: 60 },
      logs: { type: "stdout", format: "pretty", level: "warn" },
    }),
  );
  const npmrc = join(dir, "npmrc");
  writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=local\n`);
  const verdaccio = spawnGroup(VERDACCIO, ["--config", config, "--listen", `127.0.0.1:${port}`], { env: clean });
  const stop = async () => {
    await verdaccio.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (verdaccio.child.exitCode !== null) break;
    try {
      if ((await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(2000) })).ok) {
        return { url, npmrc, env: { ...clean, NPM_CONFIG_USERCONFIG: npmrc }, logs: verdaccio.output, stop };
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`Verdaccio did not answer /-/ping within ${timeoutMs} ms:\n${verdaccio.output()}`);
}
