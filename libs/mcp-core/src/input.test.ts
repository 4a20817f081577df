import { describe, expect, it } from "vitest";
import * as z from "zod";
import { ask, clientSupports, elicitation, elicited, inputRequired, isInputRequired, listedRoots, sampledText } from "./input.js";

describe("inputRequired", () => {
  it("builds the wire shape with requests and state", () => {
    const result = inputRequired({ inputRequests: { who: ask.elicit("Name?", { type: "object", properties: {} }) }, requestState: "s1" });
    expect(result).toEqual({
      resultType: "input_required",
      inputRequests: {
        who: { method: "elicitation/create", params: { message: "Name?", requestedSchema: { type: "object", properties: {} } } },
      },
      requestState: "s1",
    });
    expect(isInputRequired(result)).toBe(true);
    expect(isInputRequired({ content: [] })).toBe(false);
  });

  it("refuses a result that asks for nothing and carries no state", () => {
    expect(() => inputRequired({})).toThrow(TypeError);
    expect(() => inputRequired({ inputRequests: {} })).toThrow(TypeError);
  });

  it("builds sampling and roots requests", () => {
    expect(ask.sample("Hi", 10)).toEqual({
      method: "sampling/createMessage",
      params: { messages: [{ role: "user", content: { type: "text", text: "Hi" } }], maxTokens: 10 },
    });
    expect(ask.roots()).toEqual({ method: "roots/list", params: {} });
  });
});

describe("reading the client's answers", () => {
  const ctx = {
    clientCapabilities: { elicitation: {}, roots: { listChanged: true } },
    inputResponses: {
      form: { action: "accept", content: { name: "Ada" } },
      declined: { action: "decline" },
      model: { role: "assistant", content: { type: "text", text: "Paris" }, model: "m" },
      roots: { roots: [{ uri: "file:///work", name: "work" }] },
      junk: { action: "maybe" },
    },
  };

  it("returns accepted content only when it matches the schema", () => {
    expect(elicited(ctx, "form", z.object({ name: z.string() }))).toEqual({ name: "Ada" });
    expect(elicited(ctx, "form", z.object({ age: z.number() }))).toBeUndefined();
    expect(elicited(ctx, "declined", z.object({}))).toBeUndefined();
    expect(elicitation(ctx, "declined")).toEqual({ action: "decline" });
  });

  it("treats malformed or missing answers as absent", () => {
    expect(elicitation(ctx, "junk")).toBeUndefined();
    expect(elicitation(ctx, "nothing")).toBeUndefined();
    expect(sampledText(ctx, "form")).toBeUndefined();
    expect(listedRoots(ctx, "model")).toBeUndefined();
  });

  it("reads sampling text and roots", () => {
    expect(sampledText(ctx, "model")).toBe("Paris");
    expect(listedRoots(ctx, "roots")).toEqual([{ uri: "file:///work", name: "work" }]);
  });

  it("checks declared capabilities per kind of request", () => {
    expect(clientSupports(ctx, "elicitation/create")).toBe(true);
    expect(clientSupports(ctx, "roots/list")).toBe(true);
    expect(clientSupports(ctx, "sampling/createMessage")).toBe(false);
    expect(clientSupports({}, "elicitation/create")).toBe(false);
  });
});
