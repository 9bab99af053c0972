import { IdnError } from '../errors/idn-error.ts';
import type { AccessTier, HandleValue, ValueData } from './types.ts';
import { fitsGs1Linkset, linkTypeIri } from './link-types.ts';

/**
 * A LINK value: one typed link of a record, `{format:"json", value:{linkType, href, title, ...}}`.
 * Each value keeps its own `access` tier, so a record can hold public and restricted links.
 */
export interface LinkData {
  /** A vocabulary CURIE (`gs1:dpp`) or an absolute http(s) IRI. */
  readonly linkType: string;
  readonly href: string;
  readonly title: string;
  /** Media type of the target, e.g. `text/html`, `application/vc+jwt`. */
  readonly type?: string;
  /** BCP 47 language tags of the target; none (or `und`) for language-neutral. */
  readonly hreflang?: readonly string[];
  /** GS1 `context` (e.g. a country or a usage context). */
  readonly context?: string;
  /** The link a plain scan goes to. At most one per record; none: the lowest index. */
  readonly default?: boolean;
  /** Version label of the target (a passport version). */
  readonly version?: string;
  /** An earlier version: listed as `predecessor-version`, never chosen for a redirect. */
  readonly superseded?: boolean;
  /** GS1 `fwqs`: whether a redirect passes the request's query on to the target (default true). */
  readonly fwqs?: boolean;
}

/** A LINK value ready for negotiation: the link type as an IRI, defaults filled in. */
export interface PassportLink {
  readonly index: number;
  readonly linkType: string;
  readonly href: string;
  readonly title: string;
  readonly type: string | undefined;
  readonly hreflang: readonly string[];
  readonly context: string | undefined;
  readonly isDefault: boolean;
  readonly version: string | undefined;
  readonly superseded: boolean;
  /** GS1 `fwqs`: a redirect to this link passes the request's query on (the default). */
  readonly fwqs: boolean;
  readonly access: AccessTier;
  readonly ttl: number;
}

const KEYS = new Set([
  'linkType',
  'href',
  'title',
  'type',
  'hreflang',
  'context',
  'default',
  'version',
  'superseded',
  'fwqs',
]);
const MAX_HREF = 2048;
const MAX_TEXT = 256;
/** RFC 6838 type/subtype, optional parameters. */
const MEDIA_TYPE =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[^\s;=]+=[^;]+)*$/;
/** BCP 47 shape (RFC 5646 section 2.1, not the registry): `en`, `zh-Hans-CN`, `und`. */
const LANGUAGE_TAG = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;
const CONTROL = /\p{Cc}/u;

function bad(path: string, message: string): never {
  throw new IdnError('IDN_ERR_INVALID_LINK', `${path}: ${message}`, { path });
}

function text(path: string, v: unknown, required: boolean): string | undefined {
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > MAX_TEXT || CONTROL.test(v)) {
    bad(path, `must be a non-empty string of at most ${MAX_TEXT} characters without control characters`);
  }
  return v;
}

function checkHref(path: string, v: unknown): void {
  if (typeof v !== 'string' || v.length > MAX_HREF) bad(path, `must be a URL string of at most ${MAX_HREF} characters`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return bad(path, `"${v.slice(0, 80)}" is not an absolute URL`);
  }
  // A link ends up in a Location header: web targets only (no javascript:, data:, file:).
  if (u.protocol !== 'https:' && u.protocol !== 'http:') bad(path, `URL scheme "${u.protocol}" is not http or https`);
  if (/[\s<>"]/.test(v)) bad(path, 'contains white space, "<", ">" or \'"\' (not allowed in a Link header)');
}

function checkHreflang(path: string, v: unknown): void {
  if (v === undefined) return;
  if (!Array.isArray(v) || v.length === 0 || v.length > 16)
    bad(path, 'must be a non-empty array of up to 16 language tags');
  v.forEach((tag, i) => {
    if (typeof tag !== 'string' || !LANGUAGE_TAG.test(tag))
      bad(`${path}[${i}]`, `"${String(tag)}" is not a BCP 47 language tag`);
  });
}

function checkFlags(path: string, d: Record<string, unknown>): void {
  for (const k of ['default', 'superseded', 'fwqs'] as const) {
    if (d[k] !== undefined && typeof d[k] !== 'boolean') bad(`${path}.${k}`, 'must be true or false');
  }
  // The default must be the latest version (UNTP IDR-10): an old version cannot be it.
  if (d.default === true && d.superseded === true) bad(path, 'a superseded link cannot be the default');
  if (d.superseded === true && d.version === undefined) bad(`${path}.version`, 'a superseded link names its version');
}

/** Checks the data of a LINK value; throws IDN_ERR_INVALID_LINK / IDN_ERR_UNKNOWN_LINK_TYPE naming the path. */
export function checkLink(path: string, data: ValueData): void {
  const d = data.value as Record<string, unknown> | null;
  if (data.format !== 'json' || d === null || typeof d !== 'object' || Array.isArray(d)) {
    bad(
      path,
      'LINK expects {format:"json", value:{linkType, href, title, type?, hreflang?, context?, default?, version?, superseded?, fwqs?}}',
    );
  }
  const unknown = Object.keys(d).find((k) => !KEYS.has(k));
  if (unknown !== undefined) bad(`${path}.value.${unknown}`, 'is not a LINK field');
  const linkType = text(`${path}.value.linkType`, d.linkType, true) ?? '';
  const iri = linkTypeIri(linkType);
  if (iri === undefined) {
    throw new IdnError(
      'IDN_ERR_UNKNOWN_LINK_TYPE',
      `${path}.value.linkType: "${linkType.slice(0, 80)}" is neither a known link type (gs1:dpp, gs1:pip, untp:dpp, idnode:carbonFootprint, ...) nor an absolute http(s) IRI`,
      { path: `${path}.value.linkType` },
    );
  }
  if (!fitsGs1Linkset(iri)) {
    throw new IdnError(
      'IDN_ERR_UNKNOWN_LINK_TYPE',
      `${path}.value.linkType: "${linkType.slice(0, 80)}" cannot appear in a GS1 linkset: a link type IRI has only letters, digits, ".", "_" and "/" after http(s):// (no "#", "-", port or query)`,
      { path: `${path}.value.linkType` },
    );
  }
  checkHref(`${path}.value.href`, d.href);
  text(`${path}.value.title`, d.title, true);
  if (d.type !== undefined && (typeof d.type !== 'string' || !MEDIA_TYPE.test(d.type))) {
    bad(`${path}.value.type`, 'must be a media type such as "text/html"');
  }
  checkHreflang(`${path}.value.hreflang`, d.hreflang);
  text(`${path}.value.context`, d.context, false);
  text(`${path}.value.version`, d.version, false);
  checkFlags(`${path}.value`, d);
}

export const isLinkValue = (v: HandleValue): boolean => v.type.toUpperCase() === 'LINK' && v.data.format === 'json';

/** Whether a stored LINK value passes today's write rule (checkLink); renderers show no other. */
function isValidLink(v: HandleValue): boolean {
  try {
    checkLink('value', v.data);
    return true;
  } catch {
    return false;
  }
}

/**
 * A stored LINK value as a PassportLink; undefined for a value that is not a valid link. The
 * store may hold one the write rules refuse (written before they existed, restored, or written
 * around them): it is judged by the same rule as on the write path, so a renderer never meets a
 * missing title, a non-web href or one that cannot go into a Location or Link header.
 */
export function readLink(v: HandleValue): PassportLink | undefined {
  if (!isLinkValue(v) || !isValidLink(v)) return undefined;
  const d = v.data.value as LinkData;
  const linkType = linkTypeIri(d.linkType);
  if (linkType === undefined) return undefined;
  return {
    index: v.index,
    linkType,
    href: d.href,
    title: d.title,
    type: d.type,
    hreflang: d.hreflang && d.hreflang.length > 0 ? d.hreflang : ['und'],
    context: d.context,
    isDefault: d.default === true,
    version: d.version,
    superseded: d.superseded === true,
    fwqs: d.fwqs !== false,
    access: v.access,
    ttl: v.ttl,
  };
}
