import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type GeneratorCallback, generateFiles, names, type Tree, workspaceRoot } from "@nx/devkit";

export interface McpToolOptions {
  name: string;
  description?: string;
}

const FILES = fileURLToPath(new URL("./files", import.meta.url));
const SRC = "libs/mcp-tools/src";

/** Adds `export { binding } from "./file.js";` to the package's index, keeping its exports ordered by module. */
export function addExport(index: string, binding: string, fileName: string): string {
  const line = `export { ${binding} } from "./${fileName}.js";\n`;
  const statements = [...index.matchAll(/^export [\s\S]*? from "(\.\/[^"]+)";\n/gm)];
  const after = statements.find((statement) => (statement[1] as string) > `./${fileName}.js`);
  const at = after?.index ?? index.length;
  return index.slice(0, at) + line + index.slice(at);
}

/** `nx g @repo/workspace-plugin:mcp-tool <snake_name>`: a tool file in libs/mcp-tools/src, its test beside it, and its export. */
export default function mcpToolGenerator(tree: Tree, options: McpToolOptions): GeneratorCallback {
  if (!/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/.test(options.name)) throw new Error(`Tool names are snake_case: "${options.name}" is not.`);
  const { fileName, propertyName } = names(options.name.replaceAll("_", "-"));
  if (tree.exists(`${SRC}/${fileName}.ts`)) throw new Error(`${SRC}/${fileName}.ts already exists.`);
  const title = options.name.replaceAll("_", " ").replace(/^./, (first) => first.toUpperCase());
  const description =
    options.description ?? `Returns the text it is given. (A starting point: say here what ${options.name} does and when to call it.)`;
  generateFiles(tree, FILES, SRC, {
    tmpl: "",
    name: options.name,
    fileName,
    propertyName,
    title,
    description: JSON.stringify(description).slice(1, -1),
  });
  const index = tree.read(`${SRC}/index.ts`, "utf-8") ?? "";
  tree.write(`${SRC}/index.ts`, addExport(index, propertyName, fileName));
  return () => {
    const files = [`${SRC}/${fileName}.ts`, `${SRC}/${fileName}.test.ts`, `${SRC}/index.ts`].map((file) => join(workspaceRoot, file));
    execFileSync(join(workspaceRoot, "node_modules", ".bin", "biome"), ["check", "--write", ...files], {
      cwd: workspaceRoot,
      stdio: "inherit",
    });
  };
}
