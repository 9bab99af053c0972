import { DEFAULT_LINK_IRI, fitsGs1Linkset, HANDLED_BY_IRI, PREDECESSOR_VERSION } from '../records/link-types.ts';
import type { PassportLink } from '../records/link-value.ts';
import type { LinkView } from './links.ts';

/**
 * RFC 9264 JSON linksets and RFC 8288 Link headers from a reader's LinkViews. Only links in the
 * views appear, so a link the reader may not see is never written anywhere. Two forms:
 * - GS1's (application/linkset+json, application/json, application/ld+json): valid under GS1's
 *   linkset schema (Resolver 1.2): `itemDescription` on every context, targets with only the
 *   attributes GS1 allows (href, title, type, hreflang of two-letter tags, context, fwqs,
 *   public), the default link bare (href and title);
 * - idnode's own (application/vnd.idnode.linkset+json): every RFC 9264 attribute and idnode's
 *   extensions (`version`, `access`, full BCP 47 hreflang including `und`).
 */

export const LINKSET_MEDIA_TYPE = 'application/linkset+json';
export const IDNODE_LINKSET_MEDIA_TYPE = 'application/vnd.idnode.linkset+json';
export const JSON_LD_MEDIA_TYPE = 'application/ld+json';
/** GS1's JSON-LD context for linksets (Resolver 1.2 artefacts; the latest version's URL). */
export const GS1_LINKSET_CONTEXT = 'https://ref.gs1.org/standards/resolver/linkset-context';

/** One link context object: an anchor (the uncompressed URI of one level) and the links a reader sees there. */
export interface LinkContext {
  readonly anchor: string;
  readonly itemDescription: string;
  readonly view: LinkView;
  /** Only these links (the tied variants of a 300 answer); default: every current link and its predecessors. */
  readonly only?: readonly PassportLink[];
}

export type LinksetDocument = { readonly linkset: readonly Record<string, unknown>[] };

/** GS1 allows `\w{2}` or `\w{2}-\w{2}`: `de-AT` stays, `zh-Hans-CN` becomes `zh-CN`, `es-419` `es`, `und` and `gsw` go. */
export function gs1Languages(tags: readonly string[]): string[] {
  const out = new Set<string>();
  for (const tag of tags) {
    const [lang = '', ...rest] = tag.split('-');
    if (!/^[A-Za-z]{2}$/.test(lang)) continue;
    const region = rest.find((s) => /^[A-Za-z]{2}$/.test(s));
    out.add(region === undefined ? lang : `${lang}-${region}`);
  }
  return [...out];
}

function gs1Target(l: PassportLink): Record<string, unknown> {
  const langs = gs1Languages(l.hreflang);
  return {
    href: l.href,
    title: l.title,
    ...(l.type === undefined ? {} : { type: l.type }),
    ...(langs.length === 0 ? {} : { hreflang: langs }),
    ...(l.context === undefined ? {} : { context: [l.context] }),
    ...(l.fwqs ? {} : { fwqs: false }),
    // GS1's `public`: said only of the links a credential unlocked (everything else is public).
    ...(l.access === 'public' ? {} : { public: false }),
  };
}

function idnodeTarget(l: PassportLink): Record<string, unknown> {
  return {
    href: l.href,
    title: l.title,
    ...(l.type === undefined ? {} : { type: l.type }),
    hreflang: l.hreflang,
    ...(l.context === undefined ? {} : { context: [l.context] }),
    ...(l.version === undefined ? {} : { version: [l.version] }),
    ...(l.fwqs ? {} : { fwqs: ['false'] }),
    ...(l.access === 'public' ? {} : { access: [l.access] }),
  };
}

type Form = 'gs1' | 'idnode';

function contextObject(c: LinkContext, form: Form): Record<string, unknown> {
  const rels: Record<string, Record<string, unknown>[]> = {};
  const add = (rel: string, t: Record<string, unknown>): void => {
    // A relation GS1's schema cannot name (a link written before the write rule) stays out of GS1's form.
    if (form === 'gs1' && !fitsGs1Linkset(rel)) return;
    (rels[rel] ??= []).push(t);
  };
  const target = form === 'gs1' ? gs1Target : idnodeTarget;
  const links = c.only ?? c.view.current;
  for (const l of links) add(l.linkType, target(l));
  const d = c.view.defaultLink;
  // GS1 resolvers list the default link under gs1:defaultLink too; GS1's form bare, without optional attributes.
  if (d && links.includes(d)) add(DEFAULT_LINK_IRI, form === 'gs1' ? { href: d.href, title: d.title } : target(d));
  if (c.only === undefined) for (const l of c.view.superseded) add(PREDECESSOR_VERSION, target(l));
  return { anchor: c.anchor, itemDescription: c.itemDescription, ...rels };
}

/** The linkset in GS1's form: one context per level, the asked URI first, then each level up to the primary key. */
export const gs1Linkset = (contexts: readonly LinkContext[]): LinksetDocument => ({
  linkset: contexts.map((c) => contextObject(c, 'gs1')),
});

/** The linkset in idnode's own form (application/vnd.idnode.linkset+json). */
export const idnodeLinkset = (contexts: readonly LinkContext[]): LinksetDocument => ({
  linkset: contexts.map((c) => contextObject(c, 'idnode')),
});

/** The URL of the identifier's linkset: the resolver URL with linkType=linkset (GS1, UNTP issue #273). */
export const linksetUrl = (anchor: string): string => `${anchor}${anchor.includes('?') ? '&' : '?'}linkType=linkset`;

/** WHATWG serialisation: non-ASCII percent-encoded, host in punycode; HTTP header values must be ASCII. */
export function headerSafeUrl(href: string): string {
  return new URL(href).href;
}

/**
 * GS1 Resolver 1.2's Link header: the linkset link only (the full list of every link was
 * deprecated in Resolver 1.0), on every answer, redirects included.
 */
export const linksetLink = (anchor: string): string =>
  `<${headerSafeUrl(linksetUrl(anchor))}>; rel="linkset"; type="${LINKSET_MEDIA_TYPE}"`;

/** On linksets served as JSON: the context that turns them into JSON-LD (JSON-LD 1.1 section 6.1). */
export const JSON_LD_CONTEXT_LINK = `<${GS1_LINKSET_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="${JSON_LD_MEDIA_TYPE}"`;

/** A redirect that hands the request to another resolver says so (GS1 Resolver 1.2). */
export const handledByLink = (target: string): string => `<${headerSafeUrl(target)}>; rel="${HANDLED_BY_IRI}"`;

/** FNV-1a, 32 bits: a short, stable tag for an ETag (not a security property). */
export function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}
