import { describe, expect, it } from "vitest";
import * as z from "zod";
import { isJsonSchemaInput, jsonSchemaInput } from "./tool.js";

describe("jsonSchemaInput", () => {
  it("keeps the schema as written, and tells itself apart from a zod object", () => {
    const schema = { $schema: "https://json-schema.org/draft/2020-12/schema", type: "object", properties: {} };
    const input = jsonSchemaInput(schema);
    expect(input.jsonSchema).toBe(schema);
    expect(isJsonSchemaInput(input)).toBe(true);
    expect(isJsonSchemaInput(z.object({}))).toBe(false);
  });

  it("accepts only a schema of an object (or one that leaves the type to its keywords)", () => {
    expect(() => jsonSchemaInput({ type: "array", items: {} })).toThrow(/must describe an object/);
    expect(jsonSchemaInput({ anyOf: [{ type: "object" }] }).jsonSchema).toEqual({ anyOf: [{ type: "object" }] });
  });
});
