import { IdnError } from '../../errors/idn-error.ts';
import { AI_TABLE, PRIMARY_KEYS } from './ai-table.ts';
import { checkElement, padGtin, type DigitalLinkElements, type Gs1Element } from './elements.ts';

/**
 * The textual side of a Digital Link URI: splitting it into stem, path segments and query, and
 * writing the uncompressed URI back. Values are compared decoded; the output percent-encodes as
 * GS1's toolkits do, plus `"` (which no URI may carry raw).
 */

/** A non-GS1 key=value pair; `raw` is the request's own text, passed on unchanged. */
export interface OtherPair {
  readonly key: string;
  readonly value: string;
  readonly raw?: string;
}

export interface SplitUri {
  /** Scheme and host in lower case (RFC 3986: case-insensitive), with any path before the Digital Link part. */
  readonly origin: string;
  readonly segments: readonly string[];
  /** The query's key=value texts, still percent-encoded. */
  readonly query: readonly string[];
}

const URI_RE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

/** Percent-decoding; "+" stays "+" (GS1 CSET 82 has it, and Digital Link values carry no spaces). */
export function decodePart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new IdnError('IDN_ERR_BAD_PERCENT_ENCODING', `"${text.slice(0, 40)}" is not valid percent-encoding.`);
  }
}

/** Splits an absolute http(s) URI; one trailing slash is tolerated (Resolver 1.2 criterion 18). */
export function splitUri(uri: string): SplitUri {
  const m = URI_RE.exec(uri);
  if (!m) {
    throw new IdnError('IDN_ERR_GS1_INVALID_DIGITAL_LINK', `"${uri.slice(0, 60)}" is not an absolute http(s) URI.`);
  }
  const [, scheme = '', host = '', path = '', query] = m;
  const segments = path.replace(/\/$/, '').split('/').slice(1);
  return {
    origin: `${scheme.toLowerCase()}://${host.toLowerCase()}`,
    segments,
    query: query === undefined || query === '' ? [] : query.split('&').filter((p) => p !== ''),
  };
}

/** GS1's percent-encoding of AI values in paths and queries: everything but unreserved characters. */
export const encodeValue = (v: string): string =>
  encodeURIComponent(v).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Non-GS1 pairs keep `:` `/` `@` readable (`linkType=gs1:pip`), as GS1's vectors print them. */
const encodeOther = (v: string): string =>
  encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2F/gi, '/').replace(/%40/gi, '@');

export const isAi = (key: string): boolean => /^\d{2,4}$/.test(key) && AI_TABLE.has(key);

/** The query's pairs, sorted into GS1 elements (numeric keys GS1 defines) and the rest. */
export function readQuery(query: readonly string[]): { elements: Gs1Element[]; others: OtherPair[] } {
  const elements: Gs1Element[] = [];
  const others: OtherPair[] = [];
  for (const raw of query) {
    const eq = raw.indexOf('=');
    const key = decodePart(eq < 0 ? raw : raw.slice(0, eq));
    const value = eq < 0 ? '' : decodePart(raw.slice(eq + 1));
    if (isAi(key)) elements.push(padGtin({ ai: key, value }));
    else others.push({ key, value, raw });
  }
  return { elements, others };
}

/**
 * Finds the uncompressed Digital Link in `segments`: the first primary key from which the rest
 * are AI/value pairs of its qualifiers. Returns the index of the key segment, or -1.
 */
export function findPrimaryKey(segments: readonly string[]): number {
  for (let i = 0; i + 1 < segments.length; i++) {
    const ai = segments[i] ?? '';
    if (!PRIMARY_KEYS.has(ai) || (segments.length - i) % 2 !== 0) continue;
    const allowed = (PRIMARY_KEYS.get(ai) ?? []).flat();
    const rest = segments.slice(i + 2).filter((_, j) => j % 2 === 0);
    if (!rest.every((q) => allowed.includes(q))) continue;
    try {
      checkElement(padGtin({ ai, value: decodePart(segments[i + 1] ?? '') }));
      return i;
    } catch {
      // A segment that merely looks like a key (a path prefix "01/x") is part of the stem.
    }
  }
  return -1;
}

/** The path pairs from the key on, decoded. */
export function pathElements(segments: readonly string[], from: number): Gs1Element[] {
  const out: Gs1Element[] = [];
  for (let i = from; i + 1 < segments.length; i += 2) {
    out.push(padGtin({ ai: segments[i] ?? '', value: decodePart(segments[i + 1] ?? '') }));
  }
  return out;
}

/** `/key/value/qualifier/value...` with GS1's encoding. */
export const pathOf = (d: DigitalLinkElements): string =>
  [d.key, ...d.qualifiers].map((e) => `/${e.ai}/${encodeValue(e.value)}`).join('');

/** The uncompressed URI: stem, path, then the other GS1 AIs in AI order, then the non-GS1 pairs in their order. */
export function buildUri(stem: string, d: DigitalLinkElements, others: readonly OtherPair[]): string {
  const query = [
    ...d.attributes.map((e) => `${e.ai}=${encodeValue(e.value)}`),
    ...others.map((o) => o.raw ?? `${encodeOther(o.key)}=${encodeOther(o.value)}`),
  ];
  return `${stem}${pathOf(d)}${query.length === 0 ? '' : `?${query.join('&')}`}`;
}
