/** Small, dependency-free HTML pages for people who scan a QR code. Everything user-controlled is escaped. */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

/** Pages carry no scripts: a strict CSP keeps a malicious value from running anything. */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE =
  'body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d2433}' +
  'table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde;padding:.4rem;text-align:left;vertical-align:top}' +
  'code{background:#f3f4f8;padding:.1rem .3rem;border-radius:3px}.muted{color:#667}';

export function page(title: string, body: string, extraStyle = ''): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}${extraStyle}</style></head><body>${body}</body></html>`
  );
}

export interface ProblemPage {
  readonly title: string;
  readonly code: string;
  readonly message: string;
  readonly hints: readonly string[];
}

export function problemPage(p: ProblemPage): string {
  const hints = p.hints.map((h) => `<li>${h}</li>`).join('');
  return page(
    p.title,
    `<h1>${escapeHtml(p.title)}</h1><p>${escapeHtml(p.message)}</p><p class="muted">Code: <code>${escapeHtml(p.code)}</code></p>` +
      (hints ? `<ul>${hints}</ul>` : ''),
  );
}
