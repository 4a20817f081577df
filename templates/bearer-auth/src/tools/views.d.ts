/**
 * A built MCP Apps view, imported as a Text module: wrangler's default rule uploads an `.html`
 * import as its own module, whose default export is the document's text.
 */
declare module "*.html" {
  const html: string;
  export default html;
}
