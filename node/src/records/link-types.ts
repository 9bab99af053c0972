/**
 * The link-type vocabulary of typed links (LINK values). A link type is written as a CURIE from
 * one of these namespaces or as an absolute http(s) IRI; linksets and Link headers always carry
 * the full IRI (RFC 8288 section 2.1.2: extension relation types are URIs).
 */

export const NAMESPACES = {
  /** GS1 Web Vocabulary; GS1 resolvers use these IRIs as relation types. */
  gs1: 'https://gs1.org/voc/',
  /**
   * UN Transparency Protocol link types. The UNTP Identity Resolver spec writes them as CURIEs
   * (`untp:dpp`) without fixing an IRI; this is the UNTP vocabulary host.
   */
  untp: 'https://test.uncefact.org/vocabulary/untp/',
  /** idnode's own link types (carbon footprint); documented in README "Passports". */
  idnode: 'https://w3id.org/idnode/voc/',
} as const;

export type Namespace = keyof typeof NAMESPACES;

/** The CURIEs a LINK value may use; anything else must be a full IRI. */
export const LINK_TYPES: Readonly<Record<string, string>> = {
  'gs1:dpp': 'Digital product passport',
  'gs1:pip': 'Product information page',
  'gs1:sustainabilityInfo': 'Sustainability information',
  'gs1:certificationInfo': 'Certification information',
  'gs1:recyclingInfo': 'Recycling information',
  'gs1:instructions': 'Instructions',
  'gs1:safetyInfo': 'Safety information',
  'gs1:traceability': 'Traceability information',
  'gs1:epil': 'Electronic product information leaflet',
  'gs1:masterData': 'Master data',
  'gs1:defaultLink': 'Default link',
  'gs1:handledBy': 'Handled by another resolver (a prefix-level hand-off)',
  'untp:dpp': 'UNTP digital product passport',
  'untp:dcc': 'UNTP digital conformity credential',
  'untp:dte': 'UNTP digital traceability event',
  'untp:idr': 'UNTP identity resolver',
  'idnode:carbonFootprint': 'Product carbon footprint (declaration or label)',
};

/** The relation a resolver adds for the default link (GS1 resolver linksets list it). */
export const DEFAULT_LINK_IRI = `${NAMESPACES.gs1}defaultLink`;
/**
 * GS1 Resolver 1.2: a redirect that hands a request on to another resolver with no processing
 * here (a prefix-level hand-off) is annotated with this link type.
 */
export const HANDLED_BY_IRI = `${NAMESPACES.gs1}handledBy`;
/** RFC 5829 relation naming an earlier version of a resource. */
export const PREDECESSOR_VERSION = 'predecessor-version';

const CURIE = /^([a-z][a-z0-9]*):([A-Za-z][A-Za-z0-9_-]*)$/;

function expandCurie(s: string): string | undefined {
  const m = CURIE.exec(s);
  if (!m) return undefined;
  const ns = NAMESPACES[m[1] as Namespace] as string | undefined;
  return ns === undefined ? undefined : `${ns}${m[2]}`;
}

const KNOWN_IRIS = new Map(Object.keys(LINK_TYPES).map((c) => [expandCurie(c) ?? c, c]));

function isHttpIri(s: string): boolean {
  if (!/^https?:\/\/[^\s<>"]+$/.test(s)) return false;
  try {
    return new URL(s).hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The IRI of a link type as written in a record or a query: a vocabulary CURIE (case-insensitive
 * prefix and term, as GS1 resolvers match `linkType`), or an absolute http(s) IRI. undefined if neither.
 */
export function linkTypeIri(written: string): string | undefined {
  const s = written.trim();
  const known = LINK_TYPE_BY_LOWER.get(s.toLowerCase());
  if (known !== undefined) return known;
  // An unknown CURIE (`gs1:nonsense`) would otherwise pass as an IRI with scheme "gs1".
  if (CURIE.test(s)) return undefined;
  return isHttpIri(s) ? s : undefined;
}

const LINK_TYPE_BY_LOWER = new Map<string, string>();
for (const curie of Object.keys(LINK_TYPES)) {
  const iri = expandCurie(curie) ?? curie;
  LINK_TYPE_BY_LOWER.set(curie.toLowerCase(), iri);
  LINK_TYPE_BY_LOWER.set(iri.toLowerCase(), iri);
}

/**
 * GS1's linkset schema names relation members `[a-z-]+` (registered relations) or
 * `https?://[a-zA-z0-9./]+` (link type IRIs): no "#", "-", "~", "%", port or query. A link type
 * IRI outside that cannot appear in a GS1-conformant linkset, so a LINK value may not use it.
 */
const GS1_RELATION_MEMBER = /^([a-z-]+|https?:\/\/[A-Za-z0-9._/]+)$/;
export const fitsGs1Linkset = (relation: string): boolean => GS1_RELATION_MEMBER.test(relation);

/** The CURIE of a vocabulary IRI, for titles and the resolver description; else the IRI itself. */
export const curieOf = (iri: string): string => KNOWN_IRIS.get(iri) ?? iri;

/** Every vocabulary link type with its IRI and title (resolver description). */
export function vocabulary(): { curie: string; iri: string; title: string }[] {
  return Object.entries(LINK_TYPES).map(([curie, title]) => ({ curie, iri: expandCurie(curie) ?? curie, title }));
}
