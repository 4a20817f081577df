import { defineTool, jsonSchemaInput, toolResult } from "@repo/mcp-core";

/** The JSON Schema fixture the suite lists by name (json-schema-2020-12, SEP-1613 and SEP-2106). */

interface Contact {
  name?: string;
  address?: { street?: string; city?: string };
  contactMethod?: "phone" | "email";
  phone?: string;
  email?: string;
}

/**
 * The scenario's schema, keyword for keyword: `$schema`, `$defs` with an `$anchor`, a `$ref`,
 * `allOf`/`anyOf`, `if`/`then`/`else` and `additionalProperties: false` must reach the client as written.
 */
export const CONTACT_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  type: "object",
  $defs: {
    address: {
      $anchor: "addressDef",
      type: "object",
      properties: { street: { type: "string" }, city: { type: "string" } },
    },
  },
  properties: {
    name: { type: "string" },
    address: { $ref: "#/$defs/address" },
    contactMethod: { type: "string", enum: ["phone", "email"] },
    phone: { type: "string" },
    email: { type: "string" },
  },
  allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
  if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
  // biome-ignore lint/suspicious/noThenProperty: a JSON Schema keyword; an object, not a function, so never awaited as a thenable.
  then: { required: ["phone"] },
  else: { required: ["email"] },
  additionalProperties: false,
};

export const schemaTools = [
  defineTool({
    name: "json_schema_2020_12_tool",
    description:
      "Takes a contact described with JSON Schema 2020-12 keywords ($defs, $anchor, $ref, allOf/anyOf, if/then/else) and says how to reach it (json-schema-2020-12).",
    inputSchema: jsonSchemaInput<Contact>(CONTACT_SCHEMA),
    annotations: { readOnlyHint: true, openWorldHint: false, destructiveHint: false },
    handler: (contact) => {
      const via = contact.contactMethod === "phone" ? `phone ${contact.phone}` : `email ${contact.email}`;
      return toolResult({ reachVia: via }, `Reach ${contact.name ?? "the contact"} by ${via}.`);
    },
  }),
];
