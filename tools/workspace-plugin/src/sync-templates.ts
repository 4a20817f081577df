// Rewrites each auth style's src/index.ts template from the real app of that style (names taken out),
// then the standalone templates in templates/ from the generator files:
//   npm run nx -- sync-templates @repo/workspace-plugin
// Run it after changing a template app's src/index.ts, a generator file, a tool in libs/mcp-tools or a
// lib's version; test/templates.test.ts and test/standalone.test.ts fail until then.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { syncStandaloneTemplates } from "./generators/mcp-app/standalone.ts";
import { AUTH_STYLES, STYLES } from "./styles.ts";
import { diskTree, TEMPLATE_INPUTS } from "./workspace.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/**
 * The template text for a real app's src/index.ts: its name and title become template variables, and
 * so do its imports of the libs (a standalone template imports the published packages and its own tools).
 */
export function indexTemplate(source: string, name: string): string {
  return source
    .replace(`name: "${name}",`, 'name: "<%= name %>",')
    .replace(/title: "[^"]*",/, "title: <%- JSON.stringify(title) %>,")
    .replace('from "@repo/mcp-tools";', 'from "<%= toolsImport %>";')
    .replace(/from "@repo\/mcp-tools\/views\/([\w-]+)";/g, 'from "<%= viewImport("$1") %>";')
    .replaceAll('from "@repo/', 'from "<%= scope %>/');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const auth of AUTH_STYLES) {
    const { reference } = STYLES[auth];
    const source = readFileSync(join(root, "apps", reference, "src", "index.ts"), "utf8");
    const target = join(root, "tools", "workspace-plugin", "src", "generators", "mcp-app", "files", auth, "src", "index.ts__tmpl__");
    writeFileSync(target, indexTemplate(source, reference));
    console.log(`${auth}: template from apps/${reference}/src/index.ts`);
  }
  syncStandaloneTemplates(diskTree(root, TEMPLATE_INPUTS), root);
  for (const auth of AUTH_STYLES) console.log(`${auth}: templates/${STYLES[auth].template} from the generator files`);
}
