import { CLIENT_CAPABILITIES_META_KEY, PROTOCOL_VERSION_META_KEY, UriTemplate } from "@modelcontextprotocol/server";
import { adoptTraceMeta, setSpanAttributes } from "@repo/mcp-core";
import type { ServerDefinition } from "./definition.js";
import { type JsonRpcKind, jsonRpcKind } from "./jsonrpc.js";
import { type Reach, reachOf } from "./reach.js";

/** The Tasks extension's identifier (SEP-2663); tasks.ts serves it. */
export const TASKS_EXTENSION = "io.modelcontextprotocol/tasks";

/**
 * The classifier at the edge of every transport: a POSTed body, read once and bounded by the
 * caller (readJsonBody), becomes typed messages. Every later stage (the scope gate, the era
 * routing, the log line, what a per-request server registers) reads these, never the raw body.
 */

/** What one JSON-RPC message in a body is, as far as the pipeline needs to know. */
export interface McpMessage {
  /** By the SDK's JSON-RPC rules (jsonRpcKind); undefined for anything that is not a message. */
  kind: JsonRpcKind | undefined;
  method: string | undefined;
  /** A request's id; undefined for notifications, responses and non-messages. */
  id: string | number | undefined;
  /** The tool of tools/call, the prompt of prompts/get, the URI of resources/read. */
  name: string | undefined;
  /** The scopes the server requires for what the message names; empty when it names nothing scoped. */
  scopes: readonly string[];
  /** Whether its handler may send progress or log messages before the result. */
  mayNotify: boolean;
  /** Whether it carries the 2026-07-28 per-request envelope claim (a protocol version in `_meta`). */
  claimsModern: boolean;
  /** A tools/call of a tool that runs only as a task, from a request that does not declare the Tasks extension. */
  lacksTasks: boolean;
  /** The JSON value as posted. */
  value: unknown;
}

export interface ClassifiedBody {
  /** The JSON value as posted, handed to the SDK as its pre-parsed body. */
  body: unknown;
  batch: boolean;
  messages: readonly McpMessage[];
  /** What a server built for this body alone must register (see reachOf). */
  reach: Reach | undefined;
}

const NONE: readonly string[] = Object.freeze([]);

/** The most messages one body may carry, on every transport (the SDK's own bound for /mcp batches). */
export const MAX_BATCH_MESSAGES = 100;
export const TOO_MANY_MESSAGES = `Invalid Request: Batch must not exceed ${MAX_BATCH_MESSAGES} messages`;

/** Methods whose handlers may send progress or log notifications before their result. */
const NOTIFYING_METHODS: ReadonlySet<string> = new Set(["tools/call", "prompts/get", "resources/read"]);

export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Each definition's scope requirements by name, indexed once per isolate. */
interface ScopeIndex {
  tools: Map<string, readonly string[]>;
  prompts: Map<string, readonly string[]>;
  resources: Map<string, readonly string[]>;
  templates: { template: UriTemplate; scopes: readonly string[] }[];
  /** Tools that run only as MCP Tasks (task.support "required"). */
  taskOnly: ReadonlySet<string>;
}

const indexes = new WeakMap<ServerDefinition, ScopeIndex>();

function scopeIndex(definition: ServerDefinition): ScopeIndex {
  let index = indexes.get(definition);
  if (index) return index;
  const byName = (items: readonly { name: string; scopes?: readonly string[] }[]) =>
    new Map(items.map((item) => [item.name, item.scopes ?? NONE]));
  const resources = definition.resources ?? [];
  index = {
    tools: byName(definition.tools),
    prompts: byName(definition.prompts ?? []),
    resources: new Map(resources.flatMap((resource) => (resource.kind === "resource" ? [[resource.uri, resource.scopes ?? NONE]] : []))),
    templates: resources.flatMap((resource) =>
      resource.kind === "template" ? [{ template: new UriTemplate(resource.uriTemplate), scopes: resource.scopes ?? NONE }] : [],
    ),
    taskOnly: new Set(definition.tools.filter((tool) => tool.task?.support === "required").map((tool) => tool.name)),
  };
  indexes.set(definition, index);
  return index;
}

/**
 * The scopes one message needs: the tool a tools/call names, the prompt of prompts/get, the
 * resource (or template) of resources/read; none for anything else or a name the server lacks.
 */
function scopesFor(index: ScopeIndex, method: string | undefined, name: string | undefined): readonly string[] {
  if (name === undefined) return NONE;
  if (method === "tools/call") return index.tools.get(name) ?? NONE;
  if (method === "prompts/get") return index.prompts.get(name) ?? NONE;
  if (method !== "resources/read") return NONE;
  return index.resources.get(name) ?? index.templates.find(({ template }) => template.match(name) !== null)?.scopes ?? NONE;
}

/**
 * Whether a single message carries the 2026-07-28 per-request envelope claim, valid or not.
 * isLegacyRequest is false for every such message but initialize (its documented routing: the
 * modern handler answers a claim, or refuses it), so a claim needs no second classification.
 */
export function claimsModern(value: unknown): boolean {
  if (!isObject(value) || value.method === "initialize" || !isObject(value.params)) return false;
  const meta = value.params._meta;
  return isObject(meta) && PROTOCOL_VERSION_META_KEY in meta;
}

function classifyMessage(value: unknown, index: ScopeIndex): McpMessage {
  const kind = jsonRpcKind(value);
  const claims = claimsModern(value);
  if (!kind || !isObject(value)) {
    return {
      kind,
      method: undefined,
      id: undefined,
      name: undefined,
      scopes: NONE,
      mayNotify: false,
      claimsModern: claims,
      lacksTasks: false,
      value,
    };
  }
  const method = typeof value.method === "string" ? value.method : undefined;
  const params = isObject(value.params) ? value.params : undefined;
  const meta = isObject(params?._meta) ? params._meta : undefined;
  const named = method === "resources/read" ? params?.uri : params?.name;
  const name = typeof named === "string" ? named : undefined;
  return {
    kind,
    method,
    id: kind === "request" ? (value.id as string | number) : undefined,
    name,
    scopes: scopesFor(index, method, name),
    mayNotify: (method !== undefined && NOTIFYING_METHODS.has(method)) || meta?.progressToken !== undefined,
    claimsModern: claims,
    lacksTasks: method === "tools/call" && name !== undefined && index.taskOnly.has(name) && !declaresExtension(meta, TASKS_EXTENSION),
    value,
  };
}

/** Whether a request's `_meta` declares an extension among its (2026-07-28, per-request) client capabilities. */
export function declaresExtension(meta: Record<string, unknown> | undefined, extension: string): boolean {
  const declared = meta?.[CLIENT_CAPABILITIES_META_KEY];
  return isObject(declared) && isObject(declared.extensions) && declared.extensions[extension] !== undefined;
}

/**
 * Types a parsed body (one message or a batch) for a server built from `definition`; undefined
 * for a batch over MAX_BATCH_MESSAGES, which no transport dispatches (none of it is typed).
 */
export function classifyBody(body: unknown, definition: ServerDefinition): ClassifiedBody | undefined {
  const batch = Array.isArray(body);
  if (batch && body.length > MAX_BATCH_MESSAGES) return undefined;
  const index = scopeIndex(definition);
  const messages = batch ? body.map((value) => classifyMessage(value, index)) : [classifyMessage(body, index)];
  return { body, batch, messages, reach: batch ? undefined : reachOf(body) };
}

/**
 * Puts the request in the trace its first message's `params._meta` names (SEP-414 `traceparent`,
 * `tracestate`; see RequestTrace.adopt for why it wins over the HTTP header), and names the
 * method on the request's span.
 */
export function joinMessageTrace(classified: ClassifiedBody): void {
  const first = classified.messages[0];
  if (first?.method !== undefined) setSpanAttributes({ "mcp.method.name": classified.batch ? "batch" : first.method });
  for (const message of classified.messages) {
    const params = isObject(message.value) && isObject(message.value.params) ? message.value.params : undefined;
    if (isObject(params?._meta) && "traceparent" in params._meta) {
      adoptTraceMeta(params._meta);
      return;
    }
  }
}
