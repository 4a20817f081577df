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

/**
 * The Workers Static Assets binding views are read through (`assets.binding` in wrangler.jsonc).
 * The assets are declared with `run_worker_first: true`, so no request is answered from them
 * directly: a view is reachable only as its ui:// resource, under its scopes.
 */
export const UI_ASSETS_BINDING = "UI_ASSETS";

/** A view's file name in the assets directory: one path segment ending in `.html`. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*\.html$/;

interface UiResourceBase {
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
}

/**
 * Where the self-contained HTML document (scripts and styles inline, nothing fetched at load) comes
 * from: `asset`, a file tools/build-ui.mjs wrote into the app's assets directory, read through the
 * {@link UI_ASSETS_BINDING} binding, so the view is not bundled into the Worker; or `html`, inline.
 */
export type UiResourceOptions<Props = unknown> = UiResourceBase &
  ({ asset: string; html?: never } | { html: string | ((ctx: ResourceContext<Props>) => string | Promise<string>); asset?: never });

/** Thrown when a view's asset cannot be read: a configuration mistake, logged by the server layer. */
export class UiAssetError extends Error {
  override name = "UiAssetError";
}

/** Reads a view from the Worker's assets; the binding and the file are checked, each with a message that says what to fix. */
async function readAsset(env: unknown, asset: string, signal: AbortSignal): Promise<string> {
  // Structural, not workers-types' Fetcher: this module is also type-checked by Node tools (tools/bench).
  const binding = (env as Record<string, unknown> | undefined)?.[UI_ASSETS_BINDING] as
    | { fetch(url: string, init: { signal: AbortSignal }): Promise<Response> }
    | undefined;
  if (typeof binding?.fetch !== "function") {
    throw new UiAssetError(
      `The view ${asset} is served from Workers Static Assets, but this Worker has no ${UI_ASSETS_BINDING} binding: declare "assets": { "directory": "dist/ui", "binding": "${UI_ASSETS_BINDING}", "run_worker_first": true } in wrangler.jsonc, in every environment.`,
    );
  }
  // The host is never resolved: an assets binding serves by path.
  const response = await binding.fetch(`https://ui-assets.invalid/${asset}`, { signal });
  if (!response.ok) {
    await response.body?.cancel();
    throw new UiAssetError(
      `The view ${asset} is not in the Worker's assets (HTTP ${response.status}): run build-ui (tools/build-ui.mjs) before wrangler dev, test or deploy; Nx does it for you.`,
    );
  }
  return response.text();
}

/** Declares an MCP Apps UI resource: served as `text/html;profile=mcp-app` with its CSP and permissions in `_meta.ui`. */
export function defineUiResource<Props = unknown>(options: UiResourceOptions<Props>): ResourceDefinition<Props> {
  if (!options.uri.startsWith("ui://") || options.uri.length <= "ui://".length) {
    throw new Error(`A UI resource's URI must use the ui:// scheme, not ${JSON.stringify(options.uri)}`);
  }
  const { html, asset, csp, permissions, prefersBorder, ...resource } = options;
  if ((html === undefined) === (asset === undefined)) {
    throw new Error(`The UI resource ${options.uri} needs exactly one of html (inline) or asset (a file in the Worker's assets).`);
  }
  if (asset !== undefined && !ASSET_NAME.test(asset)) {
    throw new Error(`The UI resource ${options.uri} names the asset ${JSON.stringify(asset)}; expected a file name like "view.html".`);
  }
  const document = async (ctx: ResourceContext<Props>): Promise<string> => {
    if (asset !== undefined) return readAsset(ctx.env, asset, ctx.signal);
    return typeof html === "string" ? html : (html as (ctx: ResourceContext<Props>) => string | Promise<string>)(ctx);
  };
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
    read: async (ctx) => ({ text: await document(ctx) }),
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
