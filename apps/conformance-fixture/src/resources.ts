import { defineResource, defineResourceTemplate, resourceNotFound } from "@repo/mcp-core";
import { PNG_BASE64 } from "./media.js";

/** The resources the suite reads by URI (resources-* scenarios). */
export const fixtureResources = [
  defineResource({
    name: "static-text",
    uri: "test://static-text",
    description: "A static text resource (resources-read-text).",
    mimeType: "text/plain",
    read: () => ({ text: "This is the content of the static text resource." }),
  }),
  defineResource({
    name: "static-binary",
    uri: "test://static-binary",
    description: "A static PNG image, base64 (resources-read-binary).",
    mimeType: "image/png",
    read: () => ({ blob: PNG_BASE64 }),
  }),
  defineResource({
    name: "watched-resource",
    uri: "test://watched-resource",
    description: "The resource resources-subscribe names; readable, though this stateless server offers no subscriptions.",
    mimeType: "text/plain",
    read: () => ({ text: "Watched resource content" }),
  }),
  defineResourceTemplate({
    name: "template-data",
    uriTemplate: "test://template/{id}/data",
    description: "JSON data for any numeric id (resources-templates-read).",
    mimeType: "application/json",
    complete: { id: (typed) => ["1", "2", "3", "123"].filter((id) => id.startsWith(typed)) },
    read(uri, { id }) {
      if (!id || !/^\d+$/.test(id)) resourceNotFound(uri);
      return { text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) };
    },
  }),
];
