import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

/** The trailing `//# sourceMappingURL=<file>` comment of a built JavaScript file. */
const MAP_COMMENT = /\n\/\/# sourceMappingURL=(\S+)\s*$/;

interface SourceMap {
  sourceRoot?: string;
  sources?: (string | null)[];
  sourcesContent?: (string | null)[];
}

/** Whether a published map names a source the package does not ship and does not embed either. */
function namesMissingSources(mapPath: string, map: SourceMap): boolean {
  const root = resolve(dirname(mapPath), map.sourceRoot ?? "");
  return (map.sources ?? []).some(
    (source, index) => source !== null && map.sourcesContent?.[index] == null && !existsSync(resolve(root, source)),
  );
}

/**
 * Vite plugin for the Workers test pool, which transforms dependencies itself instead of letting
 * Node load them: a dependency file whose source map points at sources the package does not ship
 * (the MCP SDK publishes dist/ maps of an unpublished src/) is loaded without that map. Such a map
 * cannot show the sources anyway, and Vite warns once per file ("Sourcemap for … points to missing
 * source files"): 65 lines in a fresh clone's unit-test output. Maps that resolve are kept.
 */
export function skipUnshippedSourcemaps() {
  return {
    name: "skip-unshipped-sourcemaps",
    enforce: "pre" as const,
    load(id: string): { code: string; map: null } | null {
      const file = id.split("?")[0] as string;
      if (!file.includes("/node_modules/") || !/\.[cm]?js$/.test(file)) return null;
      let code: string;
      try {
        code = readFileSync(file, "utf8");
      } catch {
        return null;
      }
      const comment = MAP_COMMENT.exec(code);
      const target = comment?.[1];
      if (!comment || !target || target.startsWith("data:")) return null;
      const mapPath = resolve(dirname(file), decodeURI(target));
      try {
        if (!namesMissingSources(mapPath, JSON.parse(readFileSync(mapPath, "utf8")) as SourceMap)) return null;
      } catch {
        // No map file, or not JSON: Vite loads the file its own way.
        return null;
      }
      return { code: code.slice(0, comment.index), map: null };
    },
  };
}
