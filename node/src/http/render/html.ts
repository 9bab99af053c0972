import type { HandleValue } from '../../records/types.ts';
import { isWebUrl } from '../../records/validate-values.ts';

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

export function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`
  );
}

function renderData(v: HandleValue): string {
  const value = v.data.value;
  // Only a URL that passes the value rule becomes a link; a stored javascript: or data: URL is shown as text.
  if (v.type.toUpperCase() === 'URL' && isWebUrl(value)) {
    return `<a href="${escapeHtml(value)}" rel="nofollow noopener">${escapeHtml(value)}</a>`;
  }
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `<code>${escapeHtml(text ?? '')}</code>`;
}

export function recordPage(handle: string, values: readonly HandleValue[]): string {
  const rows = values
    .map(
      (v) =>
        `<tr><td>${v.index}</td><td>${escapeHtml(v.type)}</td><td>${renderData(v)}</td>` +
        `<td class="muted">${v.ttl}s</td><td class="muted">${escapeHtml(v.timestamp)}</td></tr>`,
    )
    .join('');
  return page(
    handle,
    `<h1>${escapeHtml(handle)}</h1><table><thead><tr><th>Index</th><th>Type</th><th>Data</th><th>TTL</th><th>Updated</th></tr></thead>` +
      `<tbody>${rows || '<tr><td colspan="5">No public values.</td></tr>'}</tbody></table>` +
      `<p class="muted">JSON: <a href="/api/handles/${escapeHtml(encodeURI(handle))}">/api/handles/${escapeHtml(handle)}</a></p>`,
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
