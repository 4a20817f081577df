/**
 * What a built view's document is made of, for the views' tests: a view must be one self-contained
 * document (the empty CSP its resource declares allows no origin). Compared, not matched with
 * toMatch, so a failure prints this outline rather than a 400 KB document.
 */
export function outlineView(html: string) {
  const styles = [...html.matchAll(/<style>([^<]*)<\/style>/g)].map((match) => match[1] ?? "");
  return {
    doctype: html.startsWith("<!doctype html>"),
    /** The attributes of each script element: one inline module, no `src`. */
    scripts: [...html.matchAll(/<script\b([^>]*)>/g)].map((match) => match[1]),
    styles: styles.length,
    /** An external stylesheet, image, frame or font, or a CSS import or url(). */
    fetchesSomething: /<(link|img|iframe)\b/i.test(html) || styles.some((css) => /@import|url\(/i.test(css)),
  };
}
