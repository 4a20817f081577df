import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv, run, tail } from "./run.ts";
import { ROOT, workspaceFiles } from "./workspace.ts";

// The README's own command, `npx nx dev <app>`, as a new user runs it: a copy of this working tree
// with nothing installed, Node 20 first on PATH (from the npm registry, whatever the host has), no
// pnpm anywhere on PATH, and an empty npm cache. npx runs the repo's own `nx` bin (tools/nx.mjs),
// which bootstraps the pinned toolchain on demand.

const HOST_DIRS = ["/usr/local/bin", "/usr/bin", "/bin"];
let workdir = "";
let env: NodeJS.ProcessEnv = {};

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  workdir = mkdtempSync(join(tmpdir(), "first-hour-"));
  const clone = join(workdir, "repo");
  for (const file of workspaceFiles()) {
    mkdirSync(dirname(join(clone, file)), { recursive: true });
    cpSync(join(ROOT, file), join(clone, file));
  }
  const node20 = join(workdir, "node20");
  const installed = await run("npm", ["install", "--prefix", node20, "--no-audit", "--no-fund", "--no-save", "node@20"], workdir, 180_000);
  expect(installed.status, tail(installed)).toBe(0);
  const hostPath = HOST_DIRS.join(":");
  env = cleanEnv({ PATH: `${join(node20, "node_modules", ".bin")}:${hostPath}`, npm_config_cache: join(workdir, "npm-cache") });
  const version = await run("node", ["--version"], clone, 10_000, env);
  expect(version.output.trim()).toMatch(/^v20\./);
  const pnpm = await run("sh", ["-c", "command -v pnpm || echo none"], clone, 10_000, env);
  expect(pnpm.output.trim()).toBe("none");
}, 240_000);

afterAll(() => {
  if (workdir) rmSync(workdir, { recursive: true, force: true });
});

describe("a fresh copy with only Node 20 and npm", () => {
  it("npx nx dev remote-mcp-server serves the landing page", async () => {
    const port = await freePort();
    const repo = join(workdir, "repo");
    let output = "";
    const child: ChildProcess = spawn("npx", ["nx", "dev", "remote-mcp-server", `--port=${port}`, "--ip=127.0.0.1"], {
      cwd: repo,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    try {
      const deadline = Date.now() + 240_000;
      let status = 0;
      while (Date.now() < deadline && child.exitCode === null) {
        status = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2000) }).then(
          (response) => response.status,
          () => 0,
        );
        if (status === 200) break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(status, output.slice(-4000)).toBe(200);
      expect(output).not.toContain("pnpm: not found");
      // A first start prints no advice that asks for no action (install-script notes, upgrade offers, approvals).
      expect(output).not.toMatch(/npm warn|Update available|awaiting approval|pnpm approve/i);
    } finally {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }
  }, 300_000);

  it("a target whose command fails exits non-zero and shows why", async () => {
    const repo = join(workdir, "repo");
    const manifest = join(repo, "apps", "remote-mcp-authless", "package.json");
    const original = readFileSync(manifest, "utf8");
    const broken = JSON.parse(original) as { scripts: Record<string, string> };
    broken.scripts.dev = `node -e "console.error('deliberately broken dev script'); process.exit(3)"`;
    writeFileSync(manifest, JSON.stringify(broken, null, 2));
    try {
      const result = await run("npx", ["nx", "dev", "remote-mcp-authless"], repo, 180_000, env);
      expect(result.status, tail(result)).not.toBe(0);
      expect(result.output).toContain("deliberately broken dev script");
    } finally {
      writeFileSync(manifest, original);
    }
  }, 200_000);
});
