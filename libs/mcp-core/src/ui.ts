/**
 * MCP Apps (the `io.modelcontextprotocol/ui` extension, SEP-1865): a tool may name a `ui://`
 * resource, an HTML document a host renders in a sandboxed iframe next to the tool's result. The
 * document talks to the host over postMessage and may call the server's tools through it. A host
 * without the extension ignores the link and shows the ordinary result, so a linked tool returns
 * the same text and structured content either way.
 */
import type { McpUiResourceCsp, McpUiResourcePermissions, McpUiToolVisibility } from "@modelcontextprotocol/ext-apps";
import { EXTENSION_ID, RESOURCE_MIME_TYPE, RESOURCE_URI_META_KEY } from "@modelcontextprotocol/ext-apps/server";
import type { CacheHint, ResourceContext, ResourceDefinition } from "./resource.js";

/** The extension's id under `capabilities.extensions`, its resources' MIME type and the legacy flat link key. */
export { EXTENSION_ID as UI_EXTENSION, RESOURCE_MIME_TYPE as UI_MIME_TYPE, RESOURCE_URI_META_KEY as UI_RESOURCE_URI_META_KEY };

/** How a tool names its UI (`_meta.ui` on tools/list). */
export interface ToolUi {
  /** The `ui://` resource the host renders for this tool's results. */
  resourceUri: string;
  /** Who may call the tool: the model, the UI (through the host), or both (the default). */
  visibility?: readonly McpUiToolVisibility[];
}

/** An MCP Apps view: its resource's identity, its document, and what the host should allow it. */
export interface UiResourceOptions<Props = unknown> {
  /** `ui://<server>/<view>`. */
  uri: `ui://${string}`;
  name: string;
  title?: string;
  description: string;
  /**
   * Origins the document may reach. Omitted lists are declared empty, so a host's CSP allows no
   * network access and no external scripts, styles or fonts: the document works offline.
   */
  csp?: McpUiResourceCsp;
  /** Browser capabilities the document asks for (camera, clipboard write, ...); hosts may refuse. */
  permissions?: McpUiResourcePermissions;
  /** Whether the host should draw a border and background around the frame. */
  prefersBorder?: boolean;
  /** Scopes a caller needs to read it: those of the tools it serves, so it is refused where they are. */
  scopes?: readonly string[];
  cache?: CacheHint;
  /**
   * The view: one self-contained HTML document (scripts and styles inline, nothing fetched at load),
   * or a function that makes it for a request. A built view is imported as a Text module
   * (`import view from "#ui/calculator.html"`, wrangler's default rule for `.html`): uploaded beside
   * the Worker's script rather than inside it, and never served by any URL of its own.
   */
  html: string | ((ctx: ResourceContext<Props>) => string | Promise<string>);
}

/** Declares an MCP Apps UI resource: served as `text/html;profile=mcp-app` with its CSP and permissions in `_meta.ui`. */
export function defineUiResource<Props = unknown>(options: UiResourceOptions<Props>): ResourceDefinition<Props> {
  if (!options.uri.startsWith("ui://") || options.uri.length <= "ui://".length) {
    throw new Error(`A UI resource's URI must use the ui:// scheme, not ${JSON.stringify(options.uri)}`);
  }
  const { html, csp, permissions, prefersBorder, ...resource } = options;
  if ((typeof html !== "string" && typeof html !== "function") || html === "") {
    throw new Error(`The UI resource ${options.uri} needs its HTML: a document (an imported view) or a function returning one.`);
  }
  const ui = {
    csp: { connectDomains: [], resourceDomains: [], ...csp },
    ...(permissions && { permissions }),
    ...(prefersBorder !== undefined && { prefersBorder }),
  };
  return {
    kind: "resource",
    ...resource,
    mimeType: RESOURCE_MIME_TYPE,
    meta: { ui },
    read: async (ctx) => ({ text: typeof html === "string" ? html : await html(ctx) }),
  };
}

/**
 * A tool's `_meta` for its UI link: the nested `ui` object of the current revision and the flat
 * `ui/resourceUri` key hosts of the first revision read (ext-apps' own registerAppTool sets both).
 */
export function toolUiMeta(ui: ToolUi): Record<string, unknown> {
  return {
    ui: { resourceUri: ui.resourceUri, ...(ui.visibility && { visibility: [...ui.visibility] }) },
    [RESOURCE_URI_META_KEY]: ui.resourceUri,
  };
}
