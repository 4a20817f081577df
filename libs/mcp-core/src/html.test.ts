import { describe, expect, it } from "vitest";
import { escapeHtml } from "./html.js";

describe("escapeHtml", () => {
  it("escapes the five characters that can end text or a quoted attribute, and nothing else", () => {
    expect(escapeHtml(`<script>alert("x" + 'y')</script> & more`)).toBe(
      "&#60;script&#62;alert(&#34;x&#34; + &#39;y&#39;)&#60;/script&#62; &#38; more",
    );
    expect(escapeHtml("Ada Lovelace — ada@example.com")).toBe("Ada Lovelace — ada@example.com");
  });

  it("escapes an already escaped text again, so it shows as written", () => {
    expect(escapeHtml("&#60;")).toBe("&#38;#60;");
  });
});
