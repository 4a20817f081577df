import { describe, expect, it } from "vitest";
import * as z from "zod";
import { memoizeJsonSchema } from "./json-schema-cache.js";

type Standard = { "~standard": { jsonSchema: Record<"input" | "output", (options: { target: string }) => Record<string, unknown>> } };
const convert = (schema: unknown, io: "input" | "output", target = "draft-2020-12") =>
  (schema as Standard)["~standard"].jsonSchema[io]({ target });

describe("memoizeJsonSchema", () => {
  const fresh = () => z.object({ a: z.number().describe("first"), b: z.string().default("x"), tags: z.array(z.string()).optional() });

  it("returns what zod converts, for each direction and target", () => {
    const schema = fresh();
    const expected = {
      input: convert(fresh(), "input"),
      output: convert(fresh(), "output"),
      draft7: convert(fresh(), "input", "draft-07"),
    };
    memoizeJsonSchema(schema);
    expect(convert(schema, "input")).toEqual(expected.input);
    expect(convert(schema, "output")).toEqual(expected.output);
    expect(convert(schema, "input", "draft-07")).toEqual(expected.draft7);
    // Input and output differ for a field with a default: the cache keeps them apart.
    expect(convert(schema, "input")).not.toEqual(convert(schema, "output"));
  });

  it("converts once, and no caller can change what the next one gets", () => {
    const schema = fresh();
    memoizeJsonSchema(schema);
    const first = convert(schema, "input");
    expect(convert(schema, "input")).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen((first.properties as Record<string, unknown>).a)).toBe(true);
    expect(() => {
      (first as { type?: string }).type = "string";
    }).toThrow(TypeError);
    expect(convert(schema, "input")).toMatchObject({ type: "object" });
  });

  it("still validates as before, and is idempotent", () => {
    const schema = fresh();
    memoizeJsonSchema(schema);
    memoizeJsonSchema(schema);
    expect(schema.safeParse({ a: 1 }).success).toBe(true);
    expect(schema.safeParse({ a: "1" }).success).toBe(false);
    expect(convert(schema, "input")).toBe(convert(schema, "input"));
  });

  it("leaves anything without a Standard JSON Schema alone", () => {
    const plain = { jsonSchema: { type: "object" } };
    memoizeJsonSchema(plain);
    memoizeJsonSchema(undefined);
    expect(plain).toEqual({ jsonSchema: { type: "object" } });
  });
});
