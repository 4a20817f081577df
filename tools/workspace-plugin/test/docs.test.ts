import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseJson } from "@nx/devkit";
import { describe, expect, it } from "vitest";
import { appsTableRows, savesScreenshot, tableRowsIn } from "../src/readme.ts";
import { AUTH_STYLES, STYLES } from "../src/styles.ts";
import { type AppInfo, diskFiles, type PackageJson, readApps } from "../src/workspace.ts";
import { type Run, run, tail } from "./run.ts";
import { ROOT, read } from "./workspace.ts";

// Every command the READMEs and CONTRIBUTING.md show is checked against what exists (scripts, Nx
// projects and targets, generators and their options, wrangler subcommands, environments, bindings,
// secrets, ports, files), and the cheap ones are run. A command this test does not recognise fails it:
// teach it here, next to the command's kind, when you document a new one.

const apps = readApps(diskFiles(ROOT));
const appNamed = new Map(apps.map((app) => [app.name, app]));
const DOCS = ["README.md", "CONTRIBUTING.md", ...apps.map((app) => `${app.dir}/README.md`).filter((path) => existsSync(join(ROOT, path)))];

/** Projects Nx infers from package.json files: apps by folder name, libs and tools by package name. */
const projects = new Map<string, PackageJson>([
  ...apps.map((app): [string, PackageJson] => [app.name, app.packageJson]),
  ...[
    "libs/mcp-core",
    "libs/mcp-app",
    "libs/mcp-tools",
    "libs/auth-handlers",
    "tools/workspace-plugin",
    "tools/inspector-e2e",
    "tools/release",
  ].map((dir): [string, PackageJson] => {
    const pkg = parseJson<PackageJson>(read(`${dir}/package.json`));
    return [pkg.name, pkg];
  }),
]);
const rootPackage = parseJson<PackageJson & { config?: { githubRepository?: string } }>(read("package.json"));
const rootScripts = rootPackage.scripts ?? {};
const generators = parseJson<{ generators: Record<string, { schema: string }> }>(read("tools/workspace-plugin/generators.json")).generators;

/** Commands these docs may show that run outside this repo's tools (a client, a shell utility, the OS). */
const EXTERNAL = [
  /^npx @modelcontextprotocol\/inspector$/,
  /^rm -rf (~\/\.mcp-auth|\.wrangler)$/,
  /^openssl rand -hex 32$/,
  /^apt-get install chromium$/,
  // What a user of a template runs with npm itself, and the maintainer's git steps of a release.
  /^npm (update|outdated|install|pack)$/,
  /^git (add|commit|tag|push) /,
  // Recipes for a random key or token and its SHA-256, as the bearer and user-API READMEs show.
  /^[A-Z]+="[a-z]+_\$\(openssl rand -base64 24 \| tr '\+\/' '-_' \| tr -d '='\)"$/,
  /^printf '\{"label":"[a-z-]+","sha256":"%s"\}\\n' "\$\(printf %s "\$[A-Z]+" \| sha256sum \| cut -d' ' -f1\)"$/,
];

interface Command {
  doc: string;
  text: string;
  /** The app the command runs in: the doc's own app, or the last `cd apps/<app>` of its block. */
  app: AppInfo | undefined;
}

const docApp = (doc: string) => appNamed.get(/^apps\/([^/]+)\//.exec(doc)?.[1] ?? "");

/** Shell commands from ```sh blocks (line by line, comments dropped, `cd` followed) and from inline code spans. */
function commandsIn(doc: string): Command[] {
  const text = read(doc);
  const commands: Command[] = [];
  for (const block of text.matchAll(/```(?:sh|bash)\n([\s\S]*?)```/g)) {
    let app = docApp(doc);
    // A line ending in a backslash continues on the next.
    for (const raw of (block[1] as string).replace(/\\\n\s*/g, "").split("\n")) {
      const line = raw.replace(/\s+#.*$/, "").trim();
      if (line === "" || line.startsWith("#")) continue;
      const cd = /^cd (?:\.\.\/|apps\/)([a-z0-9-]+)$/.exec(line);
      if (cd) {
        app = appNamed.get(cd[1] as string);
        expect(app, `${doc}: ${line}`).toBeDefined();
        continue;
      }
      commands.push({ doc, text: line, app });
    }
  }
  const prose = text.replace(/```[\s\S]*?```/g, "");
  for (const span of prose.matchAll(/`((?:npx|npm|node|pnpm|wrangler|rm|openssl|apt-get) [^`]*|npm start|npm test|wrangler dev)`/g)) {
    commands.push({ doc, text: span[1] as string, app: docApp(doc) });
  }
  return commands;
}

const all = DOCS.flatMap(commandsIn);
const wranglerHelps = new Map<string, string[]>();
const generatorRuns = new Set<string>();

const words = (text: string) => text.split(/\s+/).filter(Boolean);
const isPlaceholder = (word: string) => /^<[^>]+>$/.test(word);
const optionValue = (args: string[], name: string) => {
  const index = args.findIndex((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`));
  if (index < 0) return undefined;
  const arg = args[index] as string;
  return arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : args[index + 1];
};

/** Checks an `nx` command line (after `npx nx` or `npm run nx --`); returns what is wrong, if anything. */
function checkNx(args: string[]): string | undefined {
  const [command, ...rest] = args;
  if (command === "g" || command === "generate") {
    const [plugin, generator] = (rest[0] ?? "").split(":");
    if (plugin !== "@repo/workspace-plugin" || !generator || !generators[generator]) return `no generator ${rest[0]}`;
    const schema = parseJson<{ properties: Record<string, { enum?: string[]; pattern?: string }> }>(
      read(join("tools/workspace-plugin", generators[generator].schema)),
    );
    const name = rest[1] ?? "";
    if (!new RegExp(schema.properties.name?.pattern ?? ".*").test(name)) return `${name} is not a valid name for ${generator}`;
    const auth = optionValue(rest, "auth");
    if (auth !== undefined && !schema.properties.auth?.enum?.includes(auth)) return `--auth=${auth} is not a style`;
    generatorRuns.add(rest.join(" "));
    return undefined;
  }
  if (command === "release") {
    // nx release and its subcommands, configured in nx.json's "release".
    const release = parseJson<{ release?: { projects?: string[] } }>(read("nx.json")).release;
    if (!release?.projects?.every((name) => projects.has(name))) return "nx.json has no release config naming known projects";
    return rest[0] === undefined || ["plan", "version", "changelog", "publish"].includes(rest[0]) || rest[0].startsWith("-")
      ? undefined
      : `no nx release subcommand ${rest[0]}`;
  }
  if (command === "affected" || command === "run-many") {
    const targets = rest.slice(rest.indexOf("-t") + 1).filter((word) => !word.startsWith("-"));
    const missing = targets.filter((target) => ![...projects.values()].some((pkg) => pkg.scripts?.[target]));
    return missing.length > 0 ? `no project has target(s) ${missing.join(", ")}` : undefined;
  }
  const [project] = rest;
  if (command === undefined || project === undefined) return "expected: nx <target> <project>";
  if (isPlaceholder(command)) return undefined;
  if (isPlaceholder(project)) {
    const candidates = project === "<app>" ? apps.map((app) => app.packageJson) : [...projects.values()];
    return candidates.some((pkg) => pkg.scripts?.[command]) ? undefined : `no ${project} has a ${command} target`;
  }
  const pkg = projects.get(project);
  if (!pkg) return `no project ${project}`;
  return pkg.scripts?.[command] ? undefined : `${project} has no ${command} target`;
}

/** Checks a wrangler command: its subcommand exists (checked by running its --help later), and what it names exists. */
function checkWrangler(args: string[], app: AppInfo | undefined, doc: string): string | undefined {
  const firstFlag = args.findIndex((word) => word.startsWith("-"));
  const path = firstFlag < 0 ? args : args.slice(0, firstFlag);
  wranglerHelps.set(path.join(" "), path);
  const environment = optionValue(args, "env");
  if (environment !== undefined && !isPlaceholder(environment)) {
    const where = app ? [app] : apps.filter((candidate) => candidate.deployable);
    if (!where.every((candidate) => candidate.wrangler?.env?.[environment])) return `--env ${environment}: no such environment`;
  }
  const [first, second, third, fourth] = path;
  if (first === "secret" && second === "put" && third && !isPlaceholder(third)) {
    const where = app ? [app] : apps;
    const documented = where.some((candidate) => new RegExp(`^#?\\s*${third}=`, "m").test(read(`${candidate.dir}/.dev.vars.example`)));
    if (!documented) return `secret ${third} is in no .dev.vars.example${app ? ` of ${app.name}` : ""}`;
  }
  if (first === "kv" && second === "namespace" && third === "create" && fourth) {
    const bindings = (candidate: AppInfo) => JSON.stringify(candidate.wrangler?.kv_namespaces ?? []);
    if (!(app ? [app] : apps).some((candidate) => bindings(candidate).includes(`"${fourth}"`))) return `no KV binding ${fourth}`;
  }
  if (first === "d1" && second === "migrations" && fourth && !JSON.stringify(app?.wrangler?.d1_databases ?? []).includes(`"${fourth}"`)) {
    return `no D1 binding ${fourth} in ${app?.name ?? doc}`;
  }
  return undefined;
}

/** What is wrong with a documented command, or undefined when it checks out. */
function check(command: Command): string | undefined {
  const [tool, ...args] = words(command.text);
  if (EXTERNAL.some((pattern) => pattern.test(command.text))) return undefined;
  if (command.text === "npm start" || command.text === "npm test")
    return rootScripts[args[0] as string] ? undefined : "no such root script";
  if (tool === "npm" && args[0] === "create") {
    // create-cloudflare's --template=<owner>/<repo>/<folder>: this repository (root package.json) and a folder in it.
    const template = optionValue(args, "template") ?? "";
    const repository = rootPackage.config?.githubRepository ?? "";
    if (args[1] !== "cloudflare@latest" || !template.startsWith(`${repository}/`)) return `not create-cloudflare from ${repository}`;
    const folder = template.slice(repository.length + 1);
    return existsSync(join(ROOT, folder, "package.json")) ? undefined : `no project in ${folder}`;
  }
  if (tool === "npm" && args[0] === "run") {
    if (args[1] === "nx" && args[2] === "--") return checkNx(args.slice(3));
    return rootScripts[args[1] as string] ? undefined : `no root script ${args[1]}`;
  }
  if (tool === "npx" && args[0] === "nx") return checkNx(args.slice(1));
  if (tool === "npx" && args[0] === "wrangler") return checkWrangler(args.slice(1), command.app, command.doc);
  if (tool === "wrangler") return checkWrangler(args, command.app, command.doc);
  if (tool === "node") {
    const [script, app, environment] = args;
    if (!script || !existsSync(join(ROOT, script))) return `no file ${script}`;
    if (script === "tools/deploy.mjs") {
      if (app && !isPlaceholder(app) && !appNamed.get(app)?.deployable) return `${app} is not a deployable app`;
      if (environment && !["<staging|production>", "staging", "production"].includes(environment)) return `no environment ${environment}`;
    }
    return undefined;
  }
  if (tool === "curl") {
    const port = /http:\/\/localhost:(\d+)\//.exec(command.text)?.[1];
    return apps.some((app) => String(app.port) === port) ? undefined : "curl to no app's port";
  }
  if (tool === "cp" && command.app)
    return existsSync(join(ROOT, command.app.dir, args[0] ?? "")) ? undefined : `no ${args[0]} in ${command.app.name}`;
  if (tool === "npx" && command.app) {
    // A client the app's own tests run (its devDependencies), e.g. the conformance suite or mcp-remote.
    const pkg = command.app.packageJson;
    if (args[0] && { ...pkg.dependencies, ...pkg.devDependencies }[args[0]]) return undefined;
  }
  if (tool === "pnpm") {
    const line = args.join(" ");
    if (/^install( --frozen-lockfile)?$/.test(line) || line === "exec biome check --write .") return undefined;
    if (args[0] === "run" && args[1]) {
      const owners = command.app ? [command.app] : apps.filter((app) => app.deployable);
      return owners.every((app) => app.packageJson.scripts?.[args[1] as string]) ? undefined : `not every app has a ${args[1]} script`;
    }
  }
  return "not a command this test knows: teach docs.test.ts how to check it";
}

describe.each(DOCS)("%s", (doc) => {
  const commands = all.filter((command) => command.doc === doc);

  it.each(commands.map((command): [string, Command] => [command.text, command]))("`%s` names things that exist", (_, command) => {
    expect(check(command)).toBeUndefined();
  });

  it("names only ports the apps use, and an app's README its own", () => {
    const text = read(doc);
    const ports = [...text.matchAll(/(?:localhost|127\.0\.0\.1):(\d{4})/g)].map((match) => Number(match[1]));
    const known = new Set(apps.map((app) => app.port));
    for (const port of ports) expect(known.has(port), `port ${port}`).toBe(true);
    const own = docApp(doc);
    if (own?.port !== undefined && own.kind !== "test-only" && own.kind !== "user-backend") expect(ports).toContain(own.port);
  });

  it("shows Claude Desktop configs that run mcp-remote against the named app's own port", () => {
    for (const block of read(doc).matchAll(/```json\n([\s\S]*?)```/g)) {
      const config = JSON.parse(block[1] as string) as { mcpServers?: Record<string, { command: string; args: string[] }> };
      for (const [name, server] of Object.entries(config.mcpServers ?? {})) {
        const app = appNamed.get(name);
        expect(app, name).toBeDefined();
        expect(server.command).toBe("npx");
        expect(server.args[0]).toBe("mcp-remote");
        expect(server.args[1]).toMatch(new RegExp(`^http://localhost:${app?.port}/(sse|mcp)$`));
      }
    }
  });
});

describe("the docs", () => {
  it("docs/observability.md lists every outcome the pipeline logs and every attribute a span may carry", () => {
    const doc = read("docs/observability.md");
    const table = doc.slice(doc.indexOf("**`outcome`** values"), doc.indexOf("Other lines share"));
    const documented = [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((match) => match[1]);
    const sources = ["register.ts", "pipeline.ts", "scope-gate.ts", "sse.ts", "streamable.ts", "oauth.ts"].map((file) =>
      read(`libs/mcp-app/src/${file}`),
    );
    const toolOutcomes = /export type ToolOutcome = ([^;]+);/.exec(sources[0] as string)?.[1] ?? "";
    const emitted = new Set([
      ...sources.flatMap((source) => [...source.matchAll(/outcome: "([a-z_]+)"/g)].map((match) => match[1])),
      ...[...toolOutcomes.matchAll(/"([a-z_]+)"/g)].map((match) => match[1]),
    ]);
    expect([...documented].sort()).toEqual([...emitted].sort());
    // The attack suite's closed set of span attribute keys: each one is documented.
    const attack = read("libs/mcp-app/testing/attack/secrets-and-logs.ts");
    const allowed = [...(/const SPAN_ATTRIBUTES = \[([^\]]+)\]/.exec(attack)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map((match) => match[1]);
    expect(allowed.length).toBeGreaterThan(5);
    for (const key of allowed) expect(doc, key).toContain(`\`${key}\``);
  });

  it("README.md's apps table is the one the apps give (npm run nx -- readme @repo/workspace-plugin rewrites it)", () => {
    expect(tableRowsIn(read("README.md"))).toEqual(appsTableRows(diskFiles(ROOT)));
  });

  it("README.md keeps its first lines: the two commands", () => {
    expect(read("README.md")).toMatch(
      /^# Remote MCP servers on Cloudflare Workers\n\n[^\n]+\n\n```sh\nnpm start {4}#[^\n]+\nnpm test {5}#/,
    );
  });

  it("README.md says which template to start from, for every auth style, and both generators", () => {
    const readme = read("README.md");
    for (const auth of AUTH_STYLES) expect(readme).toContain(`**${STYLES[auth].reference}** (\`--auth=${auth}\`)`);
    for (const generator of Object.keys(generators)) expect(readme).toContain(`@repo/workspace-plugin:${generator}`);
  });

  it("each MCP app's README shows the landing-page screenshot its e2e test saves", () => {
    for (const app of apps.filter((candidate) => candidate.kind in STYLES)) {
      expect(read(`${app.dir}/README.md`), app.name).toContain(`](../../docs/images/${app.name}.png)`);
      expect(savesScreenshot(diskFiles(ROOT), app), app.name).toBe(true);
    }
  });

  it("the template apps' screenshots are committed", () => {
    for (const auth of AUTH_STYLES) expect(existsSync(join(ROOT, "docs/images", `${STYLES[auth].reference}.png`)), auth).toBe(true);
  });

  it("each MCP app's README says how to run it, lists its tools, and how to connect and deploy it", () => {
    for (const app of apps.filter((candidate) => candidate.kind in STYLES)) {
      const readme = read(`${app.dir}/README.md`);
      expect(readme, app.name).toContain(`npx nx dev ${app.name}`);
      for (const tool of app.tools) expect(readme, `${app.name}: ${tool}`).toContain(`\`${tool}\``);
      expect(readme, app.name).toContain("npx @modelcontextprotocol/inspector");
      expect(readme, app.name).toMatch(/"mcp-remote"/);
      expect(readme, app.name).toMatch(/^## Deploy$/m);
      expect(readme, app.name).toContain("--env staging");
    }
  });

  it("the deploy docs name every placeholder the wrangler configs hold", () => {
    const readme = read("README.md");
    const configs = apps.filter((app) => app.deployable).map((app) => read(`${app.dir}/wrangler.jsonc`));
    for (const placeholder of ["REPLACE_WITH_", "your-account", "example.com"]) {
      if (configs.some((config) => config.includes(placeholder))) expect(readme).toContain(placeholder);
    }
    expect(readme).toContain("`<APP>__<NAME>`");
    expect(read("tools/deploy.mjs")).toContain('toUpperCase().replaceAll("-", "_")}__');
  });

  it("the wrangler subcommands they show exist", async () => {
    const paths = [...wranglerHelps.values()];
    // Three at a time: each is a wrangler start-up.
    const results = [];
    for (let i = 0; i < paths.length; i += 3) {
      results.push(
        ...(await Promise.all(paths.slice(i, i + 3).map((path) => run("pnpm", ["exec", "wrangler", ...path, "--help"], ROOT, 60_000)))),
      );
    }
    for (const [i, path] of paths.entries()) {
      const result = results[i] as Run;
      const usage = /^wrangler ([^\n]*)$/m.exec(result.output)?.[1] ?? "";
      const commandWords = words(usage).filter((word) => !/^[<[]/.test(word));
      const positionals = words(usage).length - commandWords.length;
      expect(result.status, `wrangler ${path.join(" ")}: ${tail(result)}`).toBe(0);
      expect(path.slice(0, commandWords.length), `wrangler ${path.join(" ")} (usage: wrangler ${usage})`).toEqual(commandWords);
      expect(path.length - commandWords.length, `wrangler ${path.join(" ")}: unknown subcommand`).toBeLessThanOrEqual(positionals);
    }
  }, 120_000);

  it("the generator commands they show run (--dry-run)", async () => {
    expect(generatorRuns.size).toBeGreaterThan(0);
    for (const args of generatorRuns) {
      const result = await run("pnpm", ["exec", "nx", "g", ...words(args), "--dry-run"], ROOT, 60_000);
      expect(result.status, `nx g ${args}: ${tail(result)}`).toBe(0);
      expect(result.output).toMatch(/CREATE (apps|libs)\//);
    }
  }, 120_000);

  it("tools/deploy.mjs refuses to run without an app and an environment", async () => {
    const result = await run("node", ["tools/deploy.mjs"], ROOT);
    expect(result.status).toBe(2);
    expect(result.output).toContain("usage: node tools/deploy.mjs <app> <staging|production>");
  });

  it("tools/deploy.mjs deploys nothing while an environment still holds the README's placeholders", async () => {
    const deployable = apps.filter((app) => app.deployable);
    expect(deployable.length).toBeGreaterThan(0);
    for (const app of deployable) {
      for (const environment of ["staging", "production"]) {
        const section = JSON.stringify(app.wrangler?.env?.[environment]);
        const expected = [/REPLACE_WITH_[A-Z0-9_]+/, /[a-z0-9.-]*your-account[a-z0-9.-]*/, /[a-z0-9.-]*example\.com/]
          .map((pattern) => pattern.exec(section)?.[0])
          .filter((found) => found !== undefined);
        // This repository ships with placeholders in every environment: a fork must fill them in.
        expect(expected.length, `${app.name} ${environment}`).toBeGreaterThan(0);
        // No Cloudflare credentials here: a refusal before wrangler is the only way this exits 2 with that message.
        const result = await run("node", ["tools/deploy.mjs", app.name, environment], ROOT);
        expect(result.status, `${app.name} ${environment}: ${tail(result)}`).toBe(2);
        expect(result.output).toContain(`apps/${app.name}/wrangler.jsonc env.${environment} still holds placeholders`);
        for (const placeholder of expected) expect(result.output).toContain(placeholder);
        expect(result.output).toContain("nothing was deployed");
      }
    }
  });
});
