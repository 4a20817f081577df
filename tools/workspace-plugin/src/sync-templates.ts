// Rewrites each auth style's src/index.ts template from the real app of that style (names taken out):
//   npm run nx -- sync-templates @repo/workspace-plugin
// Run it after changing a template app's src/index.ts; test/templates.test.ts fails until then.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { AUTH_STYLES, STYLES } from "./styles.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** The template text for a real app's src/index.ts: its name and title become template variables. */
export function indexTemplate(source: string, name: string): string {
  return source.replace(`name: "${name}",`, 'name: "<%= name %>",').replace(/title: "[^"]*",/, "title: <%- JSON.stringify(title) %>,");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const auth of AUTH_STYLES) {
    const { reference } = STYLES[auth];
    const source = readFileSync(join(root, "apps", reference, "src", "index.ts"), "utf8");
    const target = join(root, "tools", "workspace-plugin", "src", "generators", "mcp-app", "files", auth, "src", "index.ts__tmpl__");
    writeFileSync(target, indexTemplate(source, reference));
    console.log(`${auth}: template from apps/${reference}/src/index.ts`);
  }
}
