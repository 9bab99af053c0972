import type { PassportLink } from '../records/link-value.ts';
import type { LinkView } from './links.ts';

/**
 * Content negotiation on the QR route for records with typed links, after GS1 Resolver CE v3 and
 * the UNTP Identity Resolver: no linkType -> the default link's type; a linkType -> links of
 * that type; then Accept-Language, `context` and Accept pick among the variants with GS1's
 * precedence (lang+context+media > lang+context > lang+media > context+media > lang > context >
 * media > hreflang "und" > the default link > the lowest index).
 */

export type Decision =
  | { readonly kind: 'redirect'; readonly link: PassportLink }
  | { readonly kind: 'choices'; readonly links: readonly PassportLink[] }
  | { readonly kind: 'missing'; readonly linkType: string };

export interface Preferences {
  /** Link type IRI asked for; undefined: the default link's type. */
  readonly linkType: string | undefined;
  readonly context: string | undefined;
  readonly languages: readonly Weighted[];
  readonly mediaTypes: readonly Weighted[];
}

export interface Weighted {
  readonly value: string;
  readonly q: number;
}

/** `en-GB,en;q=0.8,*;q=0.1` -> ranges with q-values, q=0 dropped, best first (RFC 9110 section 12.4.2). */
export function parseWeighted(header: string | undefined): Weighted[] {
  if (header === undefined || header === '') return [];
  const out: Weighted[] = [];
  for (const part of header.split(',').slice(0, 32)) {
    const [value = '', ...params] = part.split(';').map((s) => s.trim());
    if (value === '') continue;
    const qParam = params.find((p) => /^q=/i.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (Number.isFinite(q) && q > 0 && q <= 1) out.push({ value: value.toLowerCase(), q });
  }
  return out.sort((a, b) => b.q - a.q);
}

/** RFC 4647 basic filtering, plus lookup-style truncation (`en-GB` accepts `en`) at a slight discount. */
function languageQ(tags: readonly string[], ranges: readonly Weighted[]): number {
  let best = 0;
  for (const tag of tags) {
    const t = tag.toLowerCase();
    if (t === 'und') continue;
    for (const r of ranges) {
      if (r.value === '*') continue; // "any language" prefers no variant over another
      const q = t === r.value || t.startsWith(`${r.value}-`) ? r.q : r.value.startsWith(`${t}-`) ? r.q * 0.9 : 0;
      if (q > best) best = q;
    }
  }
  return best;
}

const baseType = (t: string | undefined): string | undefined => t?.split(';')[0]?.trim().toLowerCase();

function mediaQ(type: string | undefined, accepted: readonly Weighted[]): number {
  const t = baseType(type);
  if (t === undefined) return 0;
  // Only a media type named outright counts: "*/*" and "text/*" accept everything equally.
  return accepted.find((a) => a.value === t)?.q ?? 0;
}

interface Scored {
  readonly link: PassportLink;
  readonly rank: number;
  readonly q: number;
}

/** GS1 precedence as weights: lang 3, context 2, media 1.5 reproduce its ordered list of combinations. */
function score(link: PassportLink, prefs: Preferences): Scored {
  const lang = languageQ(link.hreflang, prefs.languages);
  const ctx = prefs.context !== undefined && link.context === prefs.context;
  const media = mediaQ(link.type, prefs.mediaTypes);
  const rank = (lang > 0 ? 3 : 0) + (ctx ? 2 : 0) + (media > 0 ? 1.5 : 0);
  return { link, rank, q: lang * (media > 0 ? media : 1) };
}

function fallback(candidates: readonly PassportLink[], view: LinkView): PassportLink {
  const und = candidates.filter((l) => l.hreflang.some((t) => t.toLowerCase() === 'und'));
  const pool = und.length > 0 ? und : candidates;
  return pool.find((l) => l === view.defaultLink) ?? pool.find((l) => l.isDefault) ?? (pool[0] as PassportLink);
}

export function negotiate(view: LinkView, prefs: Preferences): Decision {
  const linkType = prefs.linkType ?? view.defaultLink?.linkType;
  if (linkType === undefined) return { kind: 'missing', linkType: '' };
  const candidates = view.current.filter((l) => l.linkType === linkType);
  if (candidates.length === 0) return { kind: 'missing', linkType };
  if (candidates.length === 1) return { kind: 'redirect', link: candidates[0] as PassportLink };
  const scored = candidates.map((l) => score(l, prefs));
  const top = scored.reduce((a, b) => (b.rank > a.rank || (b.rank === a.rank && b.q > a.q) ? b : a));
  if (top.rank === 0) return { kind: 'redirect', link: fallback(candidates, view) };
  const tied = scored.filter((s) => s.rank === top.rank && s.q === top.q).map((s) => s.link);
  if (tied.length === 1) return { kind: 'redirect', link: top.link };
  // The record's own default settles a tie; otherwise the client chooses (300 Multiple Choices).
  const preferred = tied.find((l) => l === view.defaultLink);
  return preferred ? { kind: 'redirect', link: preferred } : { kind: 'choices', links: tied };
}
