import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { viewSizes } from "./probes.js";

const dir = mkdtempSync(join(tmpdir(), "bench-views-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("viewSizes", () => {
  it("measures each built view's HTML document, in bytes, and nothing else in the directory", () => {
    const html = `<!doctype html><p>${"é".repeat(50)}</p>`;
    mkdirSync(join(dir, "dist", "ui"), { recursive: true });
    writeFileSync(join(dir, "dist", "ui", "card.html"), html);
    writeFileSync(join(dir, "dist", "ui", "notes.txt"), "not a view\n");
    expect(viewSizes(dir)).toEqual({ card: { raw: Buffer.byteLength(html), gzip: gzipSync(Buffer.from(html)).byteLength } });
  });
});
