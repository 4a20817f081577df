/** The Standard JSON Schema interface the SDK converts tool and prompt schemas through. */
interface StandardJsonSchema {
  validate: unknown;
  vendor: string;
  version: number;
  jsonSchema?: Record<"input" | "output", (options: { target: string }) => Record<string, unknown>>;
}

const memoized = new WeakSet<object>();

/**
 * Converts a schema to JSON Schema once per target and direction, not on every server built from
 * it: the SDK converts tool schemas on each tools/list and each tools/call (and a server is built
 * per request). Schemas are immutable, so the conversion is too; the result is frozen so that no
 * caller can change what the next one gets. Uses the setter zod offers for `~standard`.
 */
export function memoizeJsonSchema(schema: unknown): void {
  if (!schema || typeof schema !== "object" || memoized.has(schema)) return;
  memoized.add(schema);
  const holder = schema as { "~standard"?: StandardJsonSchema };
  const standard = holder["~standard"];
  const convert = standard?.jsonSchema;
  if (!standard || !convert) return;
  const cache = new Map<string, Record<string, unknown>>();
  const cached = (io: "input" | "output") => (options: { target: string }) => {
    const key = `${io}|${JSON.stringify(options ?? {})}`;
    let json = cache.get(key);
    if (!json) {
      json = deepFreeze(convert[io](options));
      cache.set(key, json);
    }
    return json;
  };
  holder["~standard"] = { ...standard, jsonSchema: { input: cached("input"), output: cached("output") } };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
