import { describe, expect, it } from "vitest";
import { completeFrom, defineResource, defineResourceTemplate, ResourceNotFound, resourceNotFound } from "./resource.js";

describe("resource definitions", () => {
  it("tags static resources and templates", () => {
    const guide = defineResource({ name: "g", uri: "docs://g", description: "A guide", read: () => ({ text: "hi" }) });
    const notes = defineResourceTemplate({ name: "n", uriTemplate: "notes://{id}", description: "Notes", read: () => ({ text: "" }) });
    expect(guide.kind).toBe("resource");
    expect(notes.kind).toBe("template");
  });

  it("signals an unknown URI with a typed error carrying the URI", () => {
    expect(() => resourceNotFound("notes://42")).toThrow(ResourceNotFound);
    try {
      resourceNotFound("notes://42");
    } catch (error) {
      expect((error as ResourceNotFound).uri).toBe("notes://42");
    }
  });

  it("completes by case-insensitive prefix, bounded", () => {
    expect(completeFrom(["Paris", "park", "London"], "PA")).toEqual(["Paris", "park"]);
    expect(completeFrom(["a1", "a2", "a3"], "a", 2)).toEqual(["a1", "a2"]);
    expect(completeFrom(["x"], "")).toEqual(["x"]);
  });
});
