import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalRegistry, startRegistry } from "./registry.js";
import { type Run, run, tail } from "./run.js";
import { packageScope, publishedLibs, ROOT } from "./stage.js";

/** The libs as built now (dist/libs), published to a fresh loopback registry, and the templates ready to install from it. */
export interface TemplateWorkspace {
  registry: LocalRegistry;
  /** A temporary folder holding the templates taken out of the archive, and the projects made from them. */
  work: string;
  /** Copies templates/<name> out of the archive into an empty project folder, as create-cloudflare does; returns it. */
  create(template: string): string;
  /** `npm install` in a project against the registry (npm's own cache, ~/.npm, keeps repeat runs fast). */
  install(project: string, timeoutMs?: number): Promise<Run>;
  stop(): Promise<void>;
}

/** The committed tree plus uncommitted changes to tracked files (git stash create), as a clone of this work would hold. */
function archiveTree(): string {
  const stash = execFileSync("git", ["stash", "create"], { cwd: ROOT, encoding: "utf8" }).trim();
  return stash || "HEAD";
}

/**
 * Starts a Verdaccio registry on loopback, publishes every published lib from dist/libs (built by
 * `nx build`), and extracts templates/ from a `git archive` of this checkout into a temporary folder.
 */
export async function publishedTemplates(): Promise<TemplateWorkspace> {
  for (const lib of publishedLibs()) {
    if (!existsSync(join(ROOT, "dist", "libs", lib, "package.json"))) throw new Error(`dist/libs/${lib} is missing: run nx build first`);
  }
  const work = mkdtempSync(join(tmpdir(), "mcp-templates-"));
  let registry: LocalRegistry | undefined;
  try {
    registry = await startRegistry(packageScope());
    // mcp-core first: the others depend on it.
    for (const lib of ["mcp-core", ...publishedLibs().filter((lib) => lib !== "mcp-core")]) {
      const published = await run("npm", ["publish", join(ROOT, "dist", "libs", lib), "--ignore-scripts"], {
        cwd: work,
        env: registry.env,
        timeoutMs: 60_000,
      });
      if (published.status !== 0) throw new Error(`npm publish ${lib} failed:\n${tail(published)}\n${registry.logs()}`);
    }
    const tar = join(work, "templates.tar");
    execFileSync("git", ["archive", "--format=tar", "-o", tar, archiveTree(), "templates"], { cwd: ROOT });
    execFileSync("tar", ["-xf", tar, "-C", work]);
  } catch (error) {
    await registry?.stop();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
  const ready = registry;
  return {
    registry: ready,
    work,
    create(template) {
      const project = join(work, "projects", template);
      mkdirSync(join(work, "projects"), { recursive: true });
      renameSync(join(work, "templates", template), project);
      return project;
    },
    install: (project, timeoutMs = 300_000) =>
      run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: project, env: ready.env, timeoutMs }),
    async stop() {
      await ready.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

/** Each template and the app in apps/ it is rendered like (STYLES in tools/workspace-plugin): the pair the bundle check compares. */
export const TEMPLATE_APPS: Record<string, string> = {
  authless: "remote-mcp-authless",
  "mock-oauth": "remote-mcp-server",
  "github-oauth": "remote-mcp-github-oauth",
  "bearer-auth": "remote-mcp-bearer-auth",
};
