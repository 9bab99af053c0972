import { curieOf, LINK_TYPES } from '../../records/link-types.ts';
import { linkView } from '../../passport/links.ts';
import type { PassportLink } from '../../records/link-value.ts';
import type { AccessTier, HandleValue } from '../../records/types.ts';
import { isWebUrl } from '../../records/validate-values.ts';
import { escapeHtml, page } from './html.ts';

/**
 * The `?noredirect` record page, for the person who scanned a label: what the thing is (its kind,
 * description, enterprise), its documents as links with titles and languages, then the other
 * values. Administrative values (HS_ADMIN, keys, admin groups, sites) mean nothing to a consumer
 * and name who may change the record: only a record admin sees them. No scripts (PAGE_CSP); every
 * stored string is escaped; long URLs wrap, so nothing overflows from 375 px phones to desktops.
 */

export interface RecordPageInput {
  readonly handle: string;
  /** The values this reader may see (finalise filtered them by tier already). */
  readonly values: readonly HandleValue[];
  readonly tier: AccessTier;
  /** The reader is an admin of the record (HTTP Basic / token with READ_VALUE). */
  readonly admin: boolean;
}

const ADMIN_TYPES = new Set(['HS_ADMIN', 'HS_SECKEY', 'HS_PUBKEY', 'HS_VLIST', 'HS_SITE', 'HS_SITE.6', 'HS_SERV']);
export const isAdminValue = (v: HandleValue): boolean => ADMIN_TYPES.has(v.type.toUpperCase());

const KIND_LABELS: Readonly<Record<string, string>> = {
  product: 'Product',
  batch: 'Batch',
  model: 'Product model',
  enterprise: 'Enterprise',
  park: 'Industrial park',
};

const STYLE =
  'main{max-width:60rem;margin:0 auto}' +
  '.links{list-style:none;padding:0}.links li{padding:.6rem 0;border-bottom:1px solid #dde}' +
  '.links a{font-size:1.1rem;font-weight:600}.tag{display:inline-block;background:#eef1f8;border-radius:3px;' +
  'padding:0 .35rem;margin:.15rem .3rem 0 0;font-size:.85rem;color:#334}' +
  'main{overflow-wrap:anywhere;word-break:break-word}table{table-layout:fixed}' +
  'th:first-child,td:first-child{width:3.5rem}th:nth-child(2),td:nth-child(2){width:9rem}' +
  '@media (max-width:32rem){th:nth-child(2),td:nth-child(2){width:6rem}body{margin:1rem auto}}';

const text = (v: HandleValue): string =>
  typeof v.data.value === 'string' ? v.data.value : (JSON.stringify(v.data.value) ?? '');

function typeLabel(link: PassportLink): string {
  const curie = curieOf(link.linkType);
  return LINK_TYPES[curie] ?? curie;
}

function languages(link: PassportLink): string {
  const tags = link.hreflang.filter((t) => t !== 'und');
  return tags.map((t) => `<span class="tag" lang="${escapeHtml(t)}">${escapeHtml(t)}</span>`).join('');
}

function linkItem(link: PassportLink): string {
  const facts = [
    `<span class="tag">${escapeHtml(typeLabel(link))}</span>`,
    languages(link),
    link.version === undefined ? '' : `<span class="tag">version ${escapeHtml(link.version)}</span>`,
    link.access === 'public' ? '' : `<span class="tag">${escapeHtml(link.access)}</span>`,
  ].join('');
  const lang =
    link.hreflang.length === 1 && link.hreflang[0] !== 'und' ? ` hreflang="${escapeHtml(link.hreflang[0]!)}"` : '';
  return (
    `<li><a class="link-title" href="${escapeHtml(link.href)}"${lang} rel="nofollow noopener">${escapeHtml(link.title)}</a>` +
    `<div>${facts}</div></li>`
  );
}

function linkList(links: readonly PassportLink[]): string {
  return `<ul class="links">${links.map(linkItem).join('')}</ul>`;
}

function valueCell(v: HandleValue): string {
  if (v.type.toUpperCase() === 'URL' && isWebUrl(v.data.value)) {
    return `<a href="${escapeHtml(v.data.value)}" rel="nofollow noopener">${escapeHtml(v.data.value)}</a>`;
  }
  return `<code>${escapeHtml(text(v))}</code>`;
}

function valuesTable(values: readonly HandleValue[]): string {
  if (values.length === 0) return '';
  const rows = values
    .map((v) => `<tr><td>${v.index}</td><td>${escapeHtml(v.type)}</td><td>${valueCell(v)}</td></tr>`)
    .join('');
  return `<h2>Other values</h2><table><thead><tr><th>Index</th><th>Type</th><th>Value</th></tr></thead><tbody>${rows}</tbody></table>`;
}

const DESCRIBING = ['ITEM_DESCRIPTION', 'DESC', 'NAME'];
const kindOf = (values: readonly HandleValue[]) => values.find((v) => v.type.toUpperCase() === 'KIND');
const titleOf = (values: readonly HandleValue[]) => values.find((v) => DESCRIBING.includes(v.type.toUpperCase()));

function heading(handle: string, kind: HandleValue | undefined, title: HandleValue | undefined): string {
  const prefix = handle.slice(0, handle.indexOf('/'));
  const kindText = kind === undefined ? '' : (KIND_LABELS[text(kind)] ?? text(kind));
  return (
    `<h1>${escapeHtml(title === undefined ? handle : text(title))}</h1>` +
    `<p>${kindText === '' ? '' : `<span class="tag kind">${escapeHtml(kindText)}</span>`}` +
    `<code>${escapeHtml(handle)}</code></p>` +
    `<p class="muted enterprise">Registered by the enterprise with prefix ` +
    `<a href="/${escapeHtml(encodeURI(prefix))}?noredirect">${escapeHtml(prefix)}</a></p>`
  );
}

export function recordPage(p: RecordPageInput): string {
  const shown = p.admin ? p.values : p.values.filter((v) => !isAdminValue(v));
  const view = linkView(shown, p.tier);
  // URL values stay in the table when there are no LINK values (linkView lists them as links then).
  const documents = view.fromUrls ? [] : view.current;
  const superseded = view.fromUrls ? [] : view.superseded;
  const kind = kindOf(shown);
  const title = titleOf(shown);
  const used = new Set([...documents, ...superseded].map((l) => l.index));
  const rest = shown.filter((v) => !used.has(v.index) && v !== kind && v !== title);
  const links = documents.length === 0 ? '<p class="muted">No documents are linked.</p>' : linkList(documents);
  const older = superseded.length === 0 ? '' : `<h2>Earlier versions</h2>${linkList(superseded)}`;
  return page(
    p.handle,
    `<main>${heading(p.handle, kind, title)}<h2>Documents</h2>${links}${older}${valuesTable(rest)}` +
      `<p class="muted">JSON: <a href="/api/handles/${escapeHtml(encodeURI(p.handle))}">/api/handles/${escapeHtml(p.handle)}</a></p></main>`,
    STYLE,
  );
}
