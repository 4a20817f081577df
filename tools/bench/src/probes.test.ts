import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { viewSizes } from "./probes.js";

const dir = mkdtempSync(join(tmpdir(), "bench-views-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("viewSizes", () => {
  it("measures each built view's HTML document, not the module around it", () => {
    const html = `<!doctype html><p>${"é".repeat(50)}</p>`;
    mkdirSync(join(dir, "dist", "ui"), { recursive: true });
    writeFileSync(join(dir, "dist", "ui", "card.js"), `// Generated\nexport default ${JSON.stringify(html)};\n`);
    writeFileSync(join(dir, "dist", "ui", "card.d.ts"), "declare const html: string;\nexport default html;\n");
    expect(viewSizes(dir)).toEqual({ card: { raw: Buffer.byteLength(html), gzip: gzipSync(Buffer.from(html)).byteLength } });
    writeFileSync(join(dir, "dist", "ui", "other.js"), "export const x = 1;\n");
    expect(() => viewSizes(dir)).toThrow("other.js is not a module tools/build-ui.mjs wrote");
  });
});
