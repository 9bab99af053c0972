import { IdnError } from '../errors/idn-error.ts';
import { levelKindOf, PATH_AIS, PRIMARY_KEY_AIS, PRIMARY_KEYS, type LevelKind } from './gs1-keys.ts';

export { gs1CheckDigit } from './gs1-keys.ts';

/**
 * GS1 Digital Link paths onto identifiers. `/{key AI}/{value}[/{qualifier AI}/{value}]...`
 * becomes the suffix `{key AI}/{value}/...` under the configured prefix:
 * `/01/9506000134352/21/ABC` -> `88.100.5/01/09506000134352/21/ABC` (GTIN as 14 digits). The path
 * is the suffix, so one record serves both the QR URL and the GS1 Digital Link URL.
 *
 * GS1 values may hold characters the suffix grammar does not allow (`/`, `&`, `+`, ...: GS1's
 * character set 82). In a suffix they are written `~XX` (hex of the byte): `21/A%2FB` ->
 * `21/A~2FB`. "~" is not in set 82, so the mapping is one to one, and every value the node took
 * before (letters, digits, "-", ".", "_") keeps its spelling.
 */

export interface Gs1Path {
  /** The primary key's AI: '01', '414', '8004', ... */
  readonly key: string;
  /** The primary key's value, canonical (GTIN as 14 digits). */
  readonly value: string;
  /** [AI, value] in Digital Link order. */
  readonly qualifiers: readonly (readonly [string, string])[];
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new IdnError('IDN_ERR_BAD_PERCENT_ENCODING', `"${segment.slice(0, 40)}" is not valid percent-encoding.`);
  }
}

function unsupported(path: string, why: string): never {
  throw new IdnError('IDN_ERR_GS1_UNSUPPORTED_PATH', `/${path.slice(0, 80)}: ${why}`);
}

const KEYS_TEXT = PRIMARY_KEY_AIS.join(', ');

/** [AI, value] pairs of already-decoded segments, checked against the key's table. */
function pathOf(parts: readonly string[], raw: string): Gs1Path {
  const ai = parts[0] ?? '';
  const spec = PRIMARY_KEYS.get(ai);
  if (spec === undefined) unsupported(raw, `the primary key must be one of ${KEYS_TEXT}.`);
  if (parts.length < 2 || parts.length % 2 !== 0) unsupported(raw, 'every AI needs a value: /{AI}/{value}/...');
  const value = spec.normalise(parts[1] ?? '');
  const qualifiers: [string, string][] = [];
  let next = 0;
  for (let i = 2; i < parts.length; i += 2) {
    const q = parts[i] ?? '';
    const at = spec.qualifiers.findIndex((position, k) => k >= next && position.some((s) => s.ai === q));
    if (at < 0) {
      const allowed = spec.qualifiers.map((p) => p.map((s) => s.ai).join(' or ')).join(', then ');
      unsupported(raw, `after /${ai}/{value} come ${allowed === '' ? 'no qualifiers' : `${allowed}, in that order`}.`);
    }
    const qs = spec.qualifiers[at]?.find((s) => s.ai === q);
    qs?.check(parts[i + 1] ?? '');
    qualifiers.push([q, parts[i + 1] ?? '']);
    next = at + 1;
  }
  return { key: ai, value, qualifiers };
}

/**
 * Parses the path after the host (`01/...`, still percent-encoded) into a primary key and its
 * qualifiers. Trailing slashes are tolerated (GS1 resolvers SHOULD NOT fail on them).
 */
export function parseGs1Path(path: string): Gs1Path {
  const trimmed = path.replace(/\/+$/, '');
  return pathOf(trimmed.split('/').map(decodeSegment), trimmed);
}

/** Starts with a supported primary key AI and a "/": worth parsing as a GS1 path at all. */
const LOOKS_GS1 = new RegExp(`^(${PRIMARY_KEY_AIS.join('|')})/`);

/** The GS1 path an identifier suffix spells (`~XX` escapes undone); undefined when it is not one. */
export function gs1PathOfSuffix(suffix: string): Gs1Path | undefined {
  if (!LOOKS_GS1.test(suffix)) return undefined;
  try {
    return pathOf(suffix.split('/').map(unescapeValue), suffix);
  } catch {
    return undefined;
  }
}

const pairs = (p: Gs1Path): string[] => [p.key, p.value, ...p.qualifiers.flat()];

/** The Digital Link path in canonical form (no leading "/"): values percent-encoded. */
export const gs1PathString = (p: Gs1Path): string => pairs(p).map(encodeURIComponent).join('/');

/** Characters of GS1's set 82 a suffix cannot hold; "~" introduces their escape. */
const SUFFIX_UNSAFE = /[!"%&'()*+,/:;<=>?]/g;

const escapeValue = (v: string): string =>
  v.replace(SUFFIX_UNSAFE, (c) => `~${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);

const unescapeValue = (v: string): string =>
  v.replace(/~([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** The identifier suffix of a Digital Link path: AIs and values, values escaped where the grammar needs it. */
export const gs1Suffix = (p: Gs1Path): string => pairs(p).map(escapeValue).join('/');

/** The identifier text a Digital Link path maps to under `prefix`. */
export const gs1Identifier = (prefix: string, p: Gs1Path): string => `${prefix}/${gs1Suffix(p)}`;

export interface Gs1Level {
  readonly path: Gs1Path;
  /** batch (the path ends at a lot) or model (anything else above the item). */
  readonly kind: LevelKind;
}

/**
 * The levels above a path, nearest first, up to the primary key: serial -> lot -> GTIN
 * (`01/G/10/L/21/S` -> `01/G/10/L`, `01/G`). Dropping the last qualifier is one level up.
 */
export function gs1Ancestors(p: Gs1Path): Gs1Level[] {
  const out: Gs1Level[] = [];
  for (let n = p.qualifiers.length - 1; n >= 0; n--) {
    const qualifiers = p.qualifiers.slice(0, n);
    out.push({ path: { ...p, qualifiers }, kind: levelKindOf(qualifiers.at(-1)?.[0] ?? p.key) });
  }
  return out;
}

/** Data attributes with a fixed shape (GS1 General Specifications 3.2); other AIs in the query pass unchecked. */
const DATE = /^\d{2}(0[1-9]|1[0-2])(0\d|[12]\d|3[01])$/;
const ATTRIBUTES: readonly [RegExp, RegExp, string][] = [
  [/^1[1-7]$/, DATE, 'a date YYMMDD'],
  [/^7003$/, /^\d{2}(0[1-9]|1[0-2])(0\d|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d$/, 'a date and time YYMMDDhhmm'],
  [/^3[1-6]\d\d$/, /^\d{6}$/, '6 digits'],
  [/^3[07]$/, /^\d{1,8}$/, '1 to 8 digits'],
];

/**
 * Checks the GS1 data attributes of a Digital Link query (`?17=261231`): known AIs must have
 * their shape; a primary key or qualifier AI belongs in the path, never in the query.
 */
export function checkGs1Query(query: Readonly<Record<string, unknown>>): void {
  for (const [k, raw] of Object.entries(query)) {
    if (!/^\d{2,4}$/.test(k)) continue;
    const value = Array.isArray(raw) ? String(raw[0]) : String(raw);
    if (PATH_AIS.has(k)) {
      throw new IdnError(
        'IDN_ERR_GS1_INVALID_ATTRIBUTE',
        `AI ${k} is a primary key or key qualifier: it belongs in the path (/${k}/{value}), not in the query.`,
        { ai: k },
      );
    }
    const rule = ATTRIBUTES.find(([ai]) => ai.test(k));
    if (rule !== undefined && !rule[1].test(value)) {
      throw new IdnError(
        'IDN_ERR_GS1_INVALID_ATTRIBUTE',
        `AI ${k} value ${JSON.stringify(value.slice(0, 20))} must be ${rule[2]}.`,
        { ai: k },
      );
    }
  }
}
