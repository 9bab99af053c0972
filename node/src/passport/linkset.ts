import { DEFAULT_LINK_IRI, PREDECESSOR_VERSION } from './link-types.ts';
import type { PassportLink } from './link-value.ts';
import type { LinkView } from './links.ts';

/**
 * RFC 9264 section 4.2 JSON linksets and RFC 8288 Link headers from a reader's LinkView. Only
 * links in the view appear, so a link the reader may not see is never written anywhere.
 */

export const LINKSET_MEDIA_TYPE = 'application/linkset+json';

/** A target object (RFC 9264 section 4.2.3); extension attributes are arrays (section 4.2.4.3). */
export interface LinkTarget {
  readonly href: string;
  readonly title: string;
  readonly type?: string;
  readonly hreflang: readonly string[];
  readonly context?: readonly string[];
  readonly version?: readonly string[];
}

export interface LinksetDocument {
  readonly linkset: readonly Record<string, string | readonly LinkTarget[]>[];
}

function target(l: PassportLink): LinkTarget {
  return {
    href: l.href,
    title: l.title,
    ...(l.type === undefined ? {} : { type: l.type }),
    hreflang: l.hreflang,
    ...(l.context === undefined ? {} : { context: [l.context] }),
    ...(l.version === undefined ? {} : { version: [l.version] }),
  };
}

function push(ctx: Record<string, LinkTarget[]>, rel: string, t: LinkTarget): void {
  (ctx[rel] ??= []).push(t);
}

/** One link context object anchored at the identifier's resolver URL. */
export function buildLinkset(
  anchor: string,
  view: LinkView,
  links: readonly PassportLink[] = view.current,
): LinksetDocument {
  const rels: Record<string, LinkTarget[]> = {};
  for (const l of links) push(rels, l.linkType, target(l));
  // GS1 resolvers list the default link under gs1:defaultLink as well as under its own type.
  if (view.defaultLink && links.includes(view.defaultLink)) push(rels, DEFAULT_LINK_IRI, target(view.defaultLink));
  if (links === view.current) for (const l of view.superseded) push(rels, PREDECESSOR_VERSION, target(l));
  return { linkset: [{ anchor, ...rels }] };
}

/** The URL of the identifier's linkset: the resolver URL with linkType=linkset (GS1, UNTP issue #273). */
export const linksetUrl = (anchor: string): string => `${anchor}${anchor.includes('?') ? '&' : '?'}linkType=linkset`;

/** RFC 8288 quoted-string, or RFC 8187 ext-value for non-ASCII titles (`title*=UTF-8''...`). */
function titleParam(title: string): string {
  if (/^[\x20-\x7e]*$/.test(title)) return `title="${title.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return `title*=UTF-8''${encodeURIComponent(title).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

function linkHeaderEntry(l: PassportLink, rels: string): string {
  const parts = [`<${headerSafeUrl(l.href)}>`, `rel="${rels}"`, titleParam(l.title)];
  if (l.type !== undefined) parts.push(`type="${l.type.replace(/"/g, '')}"`);
  for (const lang of l.hreflang) parts.push(`hreflang="${lang}"`);
  return parts.join('; ');
}

/** WHATWG serialisation: non-ASCII percent-encoded, host in punycode; HTTP header values must be ASCII. */
export function headerSafeUrl(href: string): string {
  return new URL(href).href;
}

/** Big Link headers break proxies (Pyx caps at 8 KiB too): the linkset link comes first and always fits. */
export const LINK_HEADER_MAX_BYTES = 8192;

export function buildLinkHeader(anchor: string, view: LinkView): string {
  const entries = [`<${linksetUrl(anchor)}>; rel="linkset"; type="${LINKSET_MEDIA_TYPE}"`];
  for (const l of view.current) {
    entries.push(linkHeaderEntry(l, l === view.defaultLink ? `${l.linkType} ${DEFAULT_LINK_IRI}` : l.linkType));
  }
  for (const l of view.superseded) entries.push(linkHeaderEntry(l, PREDECESSOR_VERSION));
  let header = '';
  for (const e of entries) {
    const next = header === '' ? e : `${header}, ${e}`;
    if (Buffer.byteLength(next) > LINK_HEADER_MAX_BYTES) break;
    header = next;
  }
  return header;
}

/** FNV-1a, 32 bits: a short, stable tag for an ETag (not a security property). */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
