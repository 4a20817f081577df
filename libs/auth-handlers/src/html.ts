import { escapeHtml } from "@repo/mcp-core";

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;max-width:30rem;margin:3rem auto;padding:0 1rem;color:#1d1d1f}
.card{border:1px solid #ddd;border-radius:10px;padding:1.5rem}h1{font-size:1.4rem;margin-top:0}
label{display:block;margin:.6rem 0 .2rem}input[type=email],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box;border:1px solid #bbb;border-radius:6px}
.buttons{display:flex;gap:.75rem;margin-top:1.2rem}button{flex:1;padding:.6rem;border-radius:6px;border:1px solid #888;font-size:1rem;cursor:pointer}
button.primary{background:#1d4ed8;color:#fff;border-color:#1d4ed8}.notice{background:#fff7d6;border:1px solid #e6c200;padding:.5rem .75rem;border-radius:6px;font-size:.9rem}
.warn{background:#fdecec;border:1px solid #e57373;padding:.5rem .75rem;border-radius:6px;font-size:.9rem}.error{color:#b00020;font-weight:600}
ul.scopes{padding-left:1.2rem}code{font:14px ui-monospace,monospace}`;

/** A complete HTML page with this repo's look; `body` must already be escaped. */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
<div class="card">
${body}
</div>
</html>`;
}

/**
 * The CSP `form-action` sources for a form that posts to this page and is then redirected to
 * `targets` (the client's redirect URI, an upstream sign-in page). Chromium checks form-action
 * on every redirect after a submission, so `'self'` alone blocks the redirect back to the client.
 */
export function formActionSources(targets: readonly string[]): string {
  const sources = targets.map((target) => {
    const url = new URL(target);
    // Custom-scheme redirect URIs (native apps) can only be allowed by scheme.
    return url.protocol === "http:" || url.protocol === "https:" ? url.origin : url.protocol;
  });
  return ["'self'", ...new Set(sources)].join(" ");
}

/**
 * Security headers for every page the auth handlers render. `formTargets` lists where a form on
 * the page may end up after redirects; without it the page may only submit to itself.
 */
export function htmlHeaders(extra?: Headers, formTargets: readonly string[] = []): Headers {
  const headers = new Headers(extra);
  headers.set("Content-Type", "text/html; charset=utf-8");
  headers.set(
    "Content-Security-Policy",
    `default-src 'none'; style-src 'unsafe-inline'; form-action ${formActionSources(formTargets)}; frame-ancestors 'none'`,
  );
  headers.set("X-Frame-Options", "DENY");
  headers.set("X-Content-Type-Options", "nosniff");
  headers.set("Referrer-Policy", "no-referrer");
  headers.set("Cache-Control", "no-store");
  return headers;
}

/** An error shown in the browser (never a redirect): for requests whose client or redirect URI is not trusted. */
export function errorPage(status: number, title: string, message: string): Response {
  return new Response(page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`), {
    status,
    headers: htmlHeaders(),
  });
}
