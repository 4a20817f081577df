// What every server built from one definition declares (capabilities, the summary resources read,
// completions), derived once per isolate.
import {
  type CompleteResult,
  type McpServer,
  ProtocolError,
  ProtocolErrorCode,
  type ServerCapabilities,
} from "@modelcontextprotocol/server";
import { type Completer, type ServerSummary, UI_EXTENSION, UI_MIME_TYPE } from "@repo/mcp-core";
import type * as z from "zod";
import type { ServerDefinition } from "./definition.js";
import { memoizeJsonSchema } from "./json-schema-cache.js";
import { hasTaskTools, TASKS_EXTENSION } from "./tasks.js";

/** What buildServer derives once per definition, so building a server per request stays cheap. */
interface Prepared {
  capabilities: ServerCapabilities;
  summary: ServerSummary;
  completions: Completions | undefined;
}

export interface Completions {
  /** Every prompt's completers, empty for prompts without any. */
  prompts: Map<string, Readonly<Record<string, Completer | undefined>>>;
  templates: Map<string, Readonly<Record<string, Completer>>>;
}

const prepared = new WeakMap<ServerDefinition, Prepared>();

export function prepare(definition: ServerDefinition): Prepared {
  let result = prepared.get(definition);
  if (result) return result;
  for (const tool of definition.tools) {
    memoizeJsonSchema(tool.inputSchema);
    memoizeJsonSchema(tool.outputSchema);
  }
  for (const prompt of definition.prompts ?? []) memoizeJsonSchema(prompt.arguments);
  const resources = definition.resources ?? [];
  const prompts = definition.prompts ?? [];
  const completions: Completions = { prompts: new Map(), templates: new Map() };
  for (const prompt of prompts) completions.prompts.set(prompt.name, prompt.complete ?? {});
  for (const resource of resources) {
    if (resource.kind === "template" && resource.complete) completions.templates.set(resource.uriTemplate, resource.complete);
  }
  const completes = prompts.some((prompt) => prompt.complete) || completions.templates.size > 0;
  const extensions = {
    ...(hasTaskTools(definition) && { [TASKS_EXTENSION]: {} }),
    ...(uiResources(definition).size > 0 && { [UI_EXTENSION]: { mimeTypes: [UI_MIME_TYPE] } }),
  };
  result = {
    capabilities: {
      tools: { listChanged: false },
      logging: {},
      ...(resources.length > 0 && { resources: { listChanged: false } }),
      ...(prompts.length > 0 && { prompts: { listChanged: false } }),
      ...(completes && { completions: {} }),
      ...(Object.keys(extensions).length > 0 && { extensions }),
    } as ServerCapabilities,
    summary: {
      name: definition.name,
      version: definition.version,
      ...(definition.title && { title: definition.title }),
      ...(definition.instructions && { instructions: definition.instructions }),
      tools: definition.tools.map(({ name, title, description }) => ({ name, description, ...(title && { title }) })),
      prompts: prompts.map(({ name, title, description, arguments: args }) => ({
        name,
        description,
        ...(title && { title }),
        arguments: Object.keys((args as z.ZodObject | undefined)?.shape ?? {}),
      })),
      resources: resources.map((resource) => ({
        uri: resource.kind === "resource" ? resource.uri : resource.uriTemplate,
        name: resource.name,
        description: resource.description,
      })),
    },
    completions: completes ? completions : undefined,
  };
  prepared.set(definition, result);
  return result;
}

/**
 * The definition's MCP Apps UI resources by URI; throws at start-up when a tool names a UI the
 * server does not serve, which a host would otherwise discover as a failed read.
 */
function uiResources(definition: ServerDefinition): Set<string> {
  const uris = new Set(
    (definition.resources ?? []).flatMap((resource) =>
      resource.kind === "resource" && resource.mimeType === UI_MIME_TYPE ? [resource.uri] : [],
    ),
  );
  for (const tool of definition.tools) {
    if (tool.ui && !uris.has(tool.ui.resourceUri)) {
      throw new Error(`Tool ${tool.name} links the UI ${tool.ui.resourceUri}, which is not among the server's UI resources`);
    }
  }
  return uris;
}

/** completion/complete for prompt arguments and template variables, answered from the definitions. */
export function registerCompletions(server: McpServer, completions: Completions): void {
  server.server.setRequestHandler("completion/complete", async (request): Promise<CompleteResult> => {
    const { ref, argument, context } = request.params;
    let completers: Readonly<Record<string, Completer | undefined>> | undefined;
    if (ref.type === "ref/prompt") {
      completers = completions.prompts.get(ref.name);
      if (!completers) throw new ProtocolError(ProtocolErrorCode.InvalidParams, `Prompt ${ref.name} not found`);
    } else {
      completers = completions.templates.get(ref.uri);
    }
    const complete = completers?.[argument.name];
    if (!complete) return { completion: { values: [], hasMore: false } };
    const values = (await complete(argument.value, { arguments: context?.arguments ?? {} })).map(String);
    return { completion: { values: values.slice(0, 100), total: values.length, hasMore: values.length > 100 } };
  });
}
