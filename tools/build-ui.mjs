#!/usr/bin/env node
// Builds MCP Apps views: each `<ui dir>/<view>/index.html` becomes one self-contained HTML document
// (its module script bundled and minified by esbuild, its stylesheets inlined), written as
// `<out dir>/<view>.html`. Nothing is fetched when a host renders it, which is what the resource's
// empty CSP domain lists promise. The package imports a view as `#ui/<view>.html` (package.json
// "imports" maps `#ui/*` to the out dir); wrangler's default module rule uploads it as a Text module
// beside the Worker's script, so the view is neither in the script nor served by any URL of its own.
//
// Usage, from a package directory: node ../../tools/build-ui.mjs [ui dir = ui] [out dir = dist/ui]
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { build, transform } from "esbuild";

const [uiDir = "ui", outDir = "dist/ui"] = process.argv.slice(2);
const root = resolve(uiDir);
const out = resolve(outDir);

const SCRIPT = /<script type="module" src="([^"]+)"><\/script>/g;
const STYLESHEET = /<link rel="stylesheet" href="([^"]+)"\s*\/?>/g;

/** Replaces every match of `pattern` with what `render` makes of the file it names, in order. */
async function inline(html, pattern, render) {
  let result = "";
  let last = 0;
  for (const match of html.matchAll(pattern)) {
    result += html.slice(last, match.index) + (await render(match[1]));
    last = match.index + match[0].length;
  }
  return result + html.slice(last);
}

/**
 * zod's namespace export (`z.locales`) keeps every locale's messages in a bundle, about 250 KB
 * minified, although only English is ever configured (zod's classic entry imports `en` directly).
 * The MCP SDK the view bundles uses `z`, so the namespace's locale index is replaced by nothing.
 */
const zodLocalesOnlyEnglish = {
  name: "zod-locales-only-english",
  setup(builder) {
    builder.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: "zod-locales", namespace: "zod-locales" } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: "zod-locales" }, () => ({ contents: "export {};", loader: "js" }));
  },
};

async function bundleScript(entry) {
  const bundled = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    legalComments: "none",
    logLevel: "warning",
    plugins: [zodLocalesOnlyEnglish],
  });
  // A literal "</script" inside the code would end the inline element early.
  return `<script type="module">${bundled.outputFiles[0].text.replaceAll("</script", "<\\/script")}</script>`;
}

async function minifyStyles(file) {
  const { code } = await transform(await readFile(file, "utf8"), { loader: "css", minify: true });
  return `<style>${code.replaceAll("</style", "<\\/style")}</style>`;
}

async function buildView(name) {
  const dir = join(root, name);
  const source = (await readFile(join(dir, "index.html"), "utf8")).replace(/<!--[\s\S]*?-->\s*/g, "");
  const styled = await inline(source, STYLESHEET, (href) => minifyStyles(join(dir, href)));
  const html = await inline(styled, SCRIPT, (src) => bundleScript(join(dir, src)));
  await replace(join(out, `${name}.html`), html);
  return Buffer.byteLength(html);
}

/**
 * Writes through a temporary file and a rename, so a reader (wrangler dev, a test run) never sees
 * a directory without the file or a half-written one.
 */
async function replace(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

const views = [];
for (const entry of await readdir(root, { withFileTypes: true }).catch(() => [])) {
  if (entry.isDirectory() && (await stat(join(root, entry.name, "index.html")).catch(() => undefined))) views.push(entry.name);
}
if (views.length === 0) throw new Error(`build-ui: no <view>/index.html under ${root}`);
await mkdir(out, { recursive: true });
const names = new Set();
for (const view of views.sort()) {
  const bytes = await buildView(view);
  names.add(`${view}.html`);
  console.log(`build-ui: ${join(outDir, `${view}.html`)} (${(bytes / 1024).toFixed(1)} KiB)`);
}
// Anything else is from an earlier build (a view since removed or renamed): not served any more.
for (const stale of (await readdir(out)).filter((file) => !names.has(file) && !file.endsWith(".tmp"))) {
  await rm(join(out, stale), { recursive: true, force: true });
  console.log(`build-ui: removed ${join(outDir, stale)}`);
}
