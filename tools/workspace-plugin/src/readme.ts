import type { Tree } from "@nx/devkit";
import { STYLES } from "./styles.ts";
import { type AppInfo, type Files, readApps, treeFiles } from "./workspace.ts";

export const TABLE_START = "<!-- apps-table:start -->";
export const TABLE_END = "<!-- apps-table:end -->";
const HEADER = ["App", "Auth style", "Port", "Tools", "Docs"];

function kindLabel(app: AppInfo): string {
  if (app.kind === "user-backend") return "User backend for `remote-mcp-bearer-auth` (Hono + D1; bearer tokens); not an MCP server";
  if (app.kind === "test-only") return "Test only: the fixtures of the official conformance suite; never deployed";
  return STYLES[app.kind].label;
}

/** Whether the app's landing-page e2e test saves docs/images/<app>.png. */
export function savesScreenshot(files: Files, app: AppInfo): boolean {
  return files.read(`${app.dir}/test/landing.e2e.ts`)?.includes(`docs/images/${app.name}.png`) ?? false;
}

/** The README's apps table as rows of cells, from the apps themselves (wrangler.jsonc, src/index.ts, e2e tests). */
export function appsTableRows(files: Files): string[][] {
  return readApps(files).map((app) => {
    const tools = app.tools.length > 0 ? app.tools.map((tool) => `\`${tool}\``).join(", ") : "none";
    const docs = files.read(`${app.dir}/README.md`) === undefined ? "" : `[README](${app.dir}/README.md)`;
    // The landing-page e2e test saves the screenshot: linked from the start, present after the first e2e run.
    const screenshot = savesScreenshot(files, app) ? `, [landing page](docs/images/${app.name}.png)` : "";
    return [`[${app.name}](${app.dir})`, kindLabel(app), String(app.port ?? ""), tools, docs + screenshot];
  });
}

/** A Markdown table with padded columns, as the workspace's formatter (biome) writes it. */
export function renderTable(rows: string[][]): string {
  const widths = HEADER.map((header, column) => Math.max(3, header.length, ...rows.map((row) => (row[column] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(" | ")} |`;
  return [line(HEADER), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/** The rows of the table between the markers of a README, cells trimmed (whatever the column padding). */
export function tableRowsIn(readme: string): string[][] | undefined {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) return undefined;
  return readme
    .slice(start + TABLE_START.length, end)
    .split("\n")
    .filter((line) => line.trim().startsWith("|"))
    .slice(2)
    .map((line) =>
      line
        .trim()
        .slice(1, -1)
        .split(" | ")
        .map((cell) => cell.trim()),
    );
}

/** Replaces the apps table in README.md with one rendered from the apps. */
export function updatedReadme(readme: string, files: Files): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${TABLE_START} ... ${TABLE_END} markers`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderTable(appsTableRows(files))}\n${readme.slice(end)}`;
}

export function writeAppsTable(tree: Tree): void {
  const readme = tree.read("README.md", "utf-8");
  if (readme?.includes(TABLE_START)) tree.write("README.md", updatedReadme(readme, treeFiles(tree)));
}
