/**
 * Resources: data a client reads by URI (a usage guide, a file, a record). A static resource has
 * one URI; a template (RFC 6570, e.g. `notes://{id}`) stands for many and may complete its
 * variables. The server layer registers them, advertises the `resources` capability only when a
 * server defines some, and answers an unknown URI with -32602 naming it.
 */

/** What the serving server offers, for resources that describe it (a usage guide). */
export interface ServerSummary {
  name: string;
  title?: string;
  version: string;
  instructions?: string;
  tools: ReadonlyArray<{ name: string; title?: string; description: string }>;
  prompts: ReadonlyArray<{ name: string; title?: string; description: string; arguments: readonly string[] }>;
  resources: ReadonlyArray<{ uri: string; name: string; description: string }>;
}

/** What a read handler may use: the caller, the Worker and the server it belongs to; never HTTP details. */
export interface ResourceContext<Props = unknown> {
  props: Props;
  scopes: readonly string[];
  signal: AbortSignal;
  env: unknown;
  server: ServerSummary;
}

/** One body a read returns; `uri` defaults to the URI read and `mimeType` to the definition's. */
export type ResourceBody = { text: string; uri?: string; mimeType?: string } | { blob: string; uri?: string; mimeType?: string };

/** How long a client may reuse a read or a list (protocol 2026-07-28 caching hints). */
export interface CacheHint {
  ttlMs: number;
  scope: "public" | "private";
}

interface ResourceMetadata {
  /** Unique among the server's resources; shown to users. */
  name: string;
  title?: string;
  description: string;
  mimeType?: string;
  /** OAuth scopes a caller's token must carry to read it. */
  scopes?: readonly string[];
  cache?: CacheHint;
  /** `_meta` for the resources/list entry and every body read (an MCP Apps UI's CSP, see defineUiResource). */
  meta?: Readonly<Record<string, unknown>>;
}

export interface ResourceDefinition<Props = unknown> extends ResourceMetadata {
  kind: "resource";
  uri: string;
  read(ctx: ResourceContext<Props>): Promise<ResourceBody | ResourceBody[]> | ResourceBody | ResourceBody[];
}

/** Suggests values for one template variable from what the user typed so far. */
export type Completer = (value: string, context: { arguments: Readonly<Record<string, string>> }) => string[] | Promise<string[]>;

export interface ResourceTemplateDefinition<Props = unknown> extends ResourceMetadata {
  kind: "template";
  /** RFC 6570 URI template, e.g. `notes://{id}`. */
  uriTemplate: string;
  /** Per-variable completion (advertises the `completions` capability). */
  complete?: Readonly<Record<string, Completer>>;
  /** The concrete resources the template stands for, when they can be enumerated (shown in resources/list). */
  list?(ctx: ResourceContext<Props>): Promise<Array<{ uri: string; name: string; description?: string }>>;
  /** Reads one URI; throw `resourceNotFound(uri)` when the variables name nothing. */
  read(
    uri: string,
    variables: Readonly<Record<string, string>>,
    ctx: ResourceContext<Props>,
  ): Promise<ResourceBody | ResourceBody[]> | ResourceBody | ResourceBody[];
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of resources erases their props types.
export type AnyResource = ResourceDefinition<any> | ResourceTemplateDefinition<any>;

/** Declares a static resource. */
export function defineResource<Props = unknown>(resource: Omit<ResourceDefinition<Props>, "kind">): ResourceDefinition<Props> {
  return { kind: "resource", ...resource };
}

/** Declares a resource template. */
export function defineResourceTemplate<Props = unknown>(
  template: Omit<ResourceTemplateDefinition<Props>, "kind">,
): ResourceTemplateDefinition<Props> {
  return { kind: "template", ...template };
}

/** Thrown by a read handler for a URI that names nothing; answered as the protocol's resource-not-found error. */
export class ResourceNotFound extends Error {
  override readonly name = "ResourceNotFound";
  constructor(readonly uri: string) {
    super(`Resource not found: ${uri}`);
  }
}

export function resourceNotFound(uri: string): never {
  throw new ResourceNotFound(uri);
}

/** Filters candidates by what the user typed (case-insensitive prefix), for completers. */
export function completeFrom(candidates: readonly string[], typed: string, limit = 100): string[] {
  const prefix = typed.toLowerCase();
  return candidates.filter((candidate) => candidate.toLowerCase().startsWith(prefix)).slice(0, limit);
}
