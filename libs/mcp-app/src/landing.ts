import { escapeHtml, isLoopbackHost } from "@repo/mcp-core";
import type { ServerDefinition } from "./definition.js";

export interface LandingOptions {
  /** How clients authenticate, in a phrase ("OAuth (mock sign-in)", "none"). */
  auth: string;
  /** Extra mcp-remote arguments shown in the Claude Desktop config (e.g. a bearer header). */
  mcpRemoteArgs?: readonly string[];
  /** Env entries for the Claude Desktop config (e.g. AUTH_TOKEN). */
  mcpRemoteEnv?: Record<string, string>;
  /**
   * Where a user gets a credential, for styles whose clients bring one (bearer): `local` is shown
   * while the server runs on loopback (`wrangler dev`), `deployed` elsewhere. `code` spans allowed.
   */
  credentials?: { local: string; deployed: string };
}

/** Escaped text with Markdown `code` spans rendered (tool descriptions use them). */
function prose(text: string): string {
  return escapeHtml(text).replace(/`([^`\n]+)`/g, "<code>$1</code>");
}

/** The `/` page: the server's name, its tools and copy-paste connection configs. */
export function landingPage(definition: ServerDefinition, origin: string, options: LandingOptions): Response {
  const claudeConfig = {
    mcpServers: {
      [definition.name]: {
        command: "npx",
        args: ["mcp-remote", `${origin}/mcp`, ...(options.mcpRemoteArgs ?? [])],
        ...(options.mcpRemoteEnv && { env: options.mcpRemoteEnv }),
      },
    },
  };
  const local = isLoopbackHost(new URL(origin).hostname);
  // The header mcp-remote sends (its ${NAME} expanded from the env entries, as mcp-remote does) is
  // the one every client must send: the Inspector takes it as a custom header.
  const headerArg = options.mcpRemoteArgs?.indexOf("--header") ?? -1;
  const header =
    headerArg < 0
      ? undefined
      : options.mcpRemoteArgs?.[headerArg + 1]?.replace(/\$\{(\w+)\}/g, (name, key: string) => options.mcpRemoteEnv?.[key] ?? name);
  const tools = definition.tools.map((tool) => `<li><code>${escapeHtml(tool.name)}</code>: ${prose(tool.description)}</li>`).join("\n");
  const snippet = (id: string, label: string, text: string) => `
<h3>${escapeHtml(label)}</h3>
<div class="snippet"><pre id="${id}">${escapeHtml(text)}</pre><button type="button" data-copy="${id}">Copy</button></div>`;
  const html = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(definition.title ?? definition.name)}</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
code,pre{font:14px ui-monospace,monospace}pre{background:#f4f4f6;padding:.75rem;border-radius:6px;overflow:auto;margin:0;flex:1}
.snippet{display:flex;gap:.5rem;align-items:flex-start}button{padding:.4rem .8rem;border-radius:6px;border:1px solid #bbb;background:#fff;cursor:pointer}
.meta{color:#555}
</style>
<h1>${escapeHtml(definition.title ?? definition.name)}</h1>
<p class="meta">MCP server <code>${escapeHtml(definition.name)}</code> ${escapeHtml(definition.version)} · auth: ${escapeHtml(options.auth)}</p>
${definition.instructions ? `<p>${prose(definition.instructions)}</p>` : ""}
<h2>Tools</h2>
<ul id="tools">
${tools}
</ul>
<h2>Connect</h2>
<p id="connect-remote">Clients that speak remote MCP (Claude and ChatGPT connectors, VS Code, Cursor, MCP Inspector) take the <code>/mcp</code> URL.${local ? " Hosted connectors (Claude, ChatGPT) cannot reach this dev server: give them the public <code>https://</code> URL of a deployment." : ""}</p>
${snippet("url-mcp", "Streamable HTTP: the URL to give clients", `${origin}/mcp`)}
<p id="inspector">MCP Inspector (<code>npx @modelcontextprotocol/inspector</code>): <b>Add Servers → + Add manually</b>, transport <code>streamable-http</code>, the URL above, <b>Add</b>${header ? `; then the server card's <b>Settings → Custom Headers → + Add Header</b>: <code>${escapeHtml(header)}</code>` : ""}. Toggle the card on${header ? "" : " (sign in if the server asks)"}, then open <b>Tools</b>.</p>
${snippet("claude-config", "Claude Desktop and other stdio-only clients (claude_desktop_config.json, through mcp-remote)", JSON.stringify(claudeConfig, null, 2))}
${snippet("url-sse", "Legacy SSE transport, for clients without Streamable HTTP", `${origin}/sse`)}
${options.credentials ? `<h3>Your token</h3>\n<p id="credentials">${prose(local ? options.credentials.local : options.credentials.deployed)}</p>` : ""}
<script>
for (const button of document.querySelectorAll("button[data-copy]")) {
  button.addEventListener("click", async () => {
    const text = document.getElementById(button.dataset.copy).textContent;
    try { await navigator.clipboard.writeText(text); button.textContent = "Copied"; }
    catch { button.textContent = "Select and copy"; }
    setTimeout(() => { button.textContent = "Copy"; }, 1500);
  });
}
</script>
</html>`;
  return new Response(html, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; frame-ancestors 'none'",
      "X-Content-Type-Options": "nosniff",
    },
  });
}
