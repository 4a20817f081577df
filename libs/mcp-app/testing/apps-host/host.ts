// A minimal MCP Apps host, run in Chromium by the apps' browser tests: the MCP SDK client talks to
// the app under test over /mcp, and ext-apps' AppBridge (the host side of the extension) connects
// that client to the tool's UI, rendered in a sandboxed iframe. It does what a chat client does
// when its model calls a tool that has a UI: call the tool, read the UI resource, render it and
// hand it the call's input and result; the UI's own tool calls then go through the bridge.
// The page reports its state in <body data-state> and the `#log` list, which the tests read.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import {
  AppBridge,
  buildAllowAttribute,
  getToolUiResourceUri,
  type McpUiResourceCsp,
  type McpUiResourceMeta,
  PostMessageTransport,
  RESOURCE_MIME_TYPE,
} from "@modelcontextprotocol/ext-apps/app-bridge";

const UI_EXTENSION = "io.modelcontextprotocol/ui";

const query = new URLSearchParams(location.search);
const mcpUrl = new URL(query.get("mcp") ?? "");
const toolName = query.get("tool") ?? "";
const toolArguments = JSON.parse(query.get("arguments") ?? "{}") as Record<string, unknown>;
const headers = JSON.parse(query.get("headers") ?? "{}") as Record<string, string>;

const log = document.getElementById("log") as HTMLOListElement;
function note(text: string): void {
  const entry = document.createElement("li");
  entry.textContent = text;
  log.append(entry);
}

/** The iframe's Content-Security-Policy, from the origins the resource declared (none: no network at all). */
function contentSecurityPolicy(csp: McpUiResourceCsp | undefined): string {
  const origins = (list: string[] | undefined, fallback: string) => (list && list.length > 0 ? list.join(" ") : fallback);
  const resources = origins(csp?.resourceDomains, "");
  return [
    "default-src 'none'",
    `script-src 'unsafe-inline' ${resources}`.trim(),
    `style-src 'unsafe-inline' ${resources}`.trim(),
    `img-src data: ${resources}`.trim(),
    `font-src ${origins(csp?.resourceDomains, "'none'")}`,
    `media-src ${origins(csp?.resourceDomains, "'none'")}`,
    `connect-src ${origins(csp?.connectDomains, "'none'")}`,
    `frame-src ${origins(csp?.frameDomains, "'none'")}`,
    `base-uri ${origins(csp?.baseUriDomains, "'none'")}`,
  ].join("; ");
}

async function run(): Promise<void> {
  const client = new Client(
    { name: "mcp-apps-test-host", version: "1.0.0" },
    { capabilities: { extensions: { [UI_EXTENSION]: { mimeTypes: [RESOURCE_MIME_TYPE] } } } },
  );
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { requestInit: { headers } }));
  note(`Connected to ${client.getServerVersion()?.name} over ${mcpUrl.pathname}`);

  const { tools } = await client.listTools();
  const tool = tools.find((candidate) => candidate.name === toolName);
  const uri = tool && getToolUiResourceUri(tool);
  if (!uri) throw new Error(`${toolName} names no UI`);

  // The model's call, as a chat client would make it.
  const result = await client.callTool({ name: toolName, arguments: toolArguments });
  note(`Model called ${toolName}(${JSON.stringify(toolArguments)})`);

  const { contents } = await client.readResource({ uri });
  const [content] = contents;
  if (!content || !("text" in content) || content.mimeType !== RESOURCE_MIME_TYPE) throw new Error(`${uri} is not an MCP App document`);
  const meta = (content._meta as { ui?: McpUiResourceMeta } | undefined)?.ui;
  const csp = contentSecurityPolicy(meta?.csp);

  const frame = document.createElement("iframe");
  frame.id = "app";
  frame.title = `${toolName} UI`;
  // An opaque origin: the document can run scripts but reach neither this page nor its storage.
  frame.setAttribute("sandbox", "allow-scripts");
  frame.setAttribute("allow", buildAllowAttribute(meta?.permissions));
  frame.classList.toggle("bordered", meta?.prefersBorder === true);
  document.getElementById("frame-slot")?.append(frame);
  const view = frame.contentWindow;
  if (!view) throw new Error("the iframe has no window");

  const bridge = new AppBridge(
    client,
    { name: "mcp-apps-test-host", version: "1.0.0" },
    { serverTools: {}, logging: {} },
    { hostContext: { theme: "light", displayMode: "inline" } },
  );
  bridge.oninitialized = () => {
    note(`${bridge.getAppVersion()?.name ?? "The UI"} initialized; sending the call's input and result`);
    void bridge.sendToolInput({ arguments: toolArguments });
    void bridge.sendToolResult(result as Parameters<AppBridge["sendToolResult"]>[0]);
    document.body.dataset.state = "ready";
  };
  bridge.onsizechange = ({ height }) => {
    if (height) frame.style.height = `${Math.ceil(height)}px`;
  };
  await bridge.connect(new PostMessageTransport(view, view));
  frame.srcdoc = content.text.replace(/<head>/i, `<head><meta http-equiv="Content-Security-Policy" content="${csp}">`);
  note(`Rendering ${uri} in a sandboxed iframe (CSP: ${csp})`);
}

run().catch((error: unknown) => {
  document.body.dataset.state = "error";
  note(`Error: ${error instanceof Error ? error.message : String(error)}`);
});
