import { defineResource, type ServerSummary } from "@remote-mcp-workers/mcp-core";

export const USAGE_GUIDE_URI = "docs://usage-guide";

/** Renders the guide from what the server actually offers, so it cannot drift from the code. */
export function renderUsageGuide(server: ServerSummary): string {
  const lines = [`# ${server.title ?? server.name}`, ""];
  if (server.instructions) lines.push(server.instructions, "");
  lines.push("## Tools", "");
  for (const tool of server.tools) lines.push(`- \`${tool.name}\`${tool.title ? ` (${tool.title})` : ""}: ${tool.description}`);
  if (server.prompts.length > 0) {
    lines.push("", "## Prompts", "");
    for (const prompt of server.prompts) {
      const args = prompt.arguments.length > 0 ? ` (arguments: ${prompt.arguments.map((name) => `\`${name}\``).join(", ")})` : "";
      lines.push(`- \`${prompt.name}\`${args}: ${prompt.description}`);
    }
  }
  if (server.resources.length > 0) {
    lines.push("", "## Resources", "");
    for (const resource of server.resources) lines.push(`- \`${resource.uri}\` (${resource.name}): ${resource.description}`);
  }
  lines.push(
    "",
    "## Connecting",
    "",
    "Streamable HTTP at `/mcp` (protocol 2026-07-28 and the 2025 revisions), legacy HTTP+SSE at `/sse`.",
    `Server version ${server.version}.`,
  );
  return `${lines.join("\n")}\n`;
}

/** The server's usage guide (text/markdown): its tools, prompts and resources, rendered from its own definition. */
export const usageGuide = defineResource({
  name: "usage-guide",
  title: "Usage guide",
  uri: USAGE_GUIDE_URI,
  description: "How to use this server: its tools, prompts and resources, and how to connect.",
  mimeType: "text/markdown",
  cache: { ttlMs: 300_000, scope: "public" },
  read: (ctx) => ({ text: renderUsageGuide(ctx.server) }),
});
