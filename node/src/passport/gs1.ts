import { IdnError } from '../errors/idn-error.ts';

/**
 * GS1 Digital Link paths onto identifiers. `/01/{gtin}[/22/{cpv}][/10/{lot}][/21/{serial}]`
 * becomes the suffix `01/{gtin14}[/22/{cpv}][/10/{lot}][/21/{serial}]` under the configured
 * prefix: `/01/9506000134352/21/ABC` -> `88.100.5/01/09506000134352/21/ABC`. The path is the
 * suffix, so one record serves both the QR URL and the GS1 Digital Link URL.
 */

export interface Gs1Path {
  readonly gtin: string;
  /** [AI, value] in Digital Link order (22, 10, 21). */
  readonly qualifiers: readonly (readonly [string, string])[];
}

/** GTIN's qualifier AIs in the order GS1 Digital Link requires them, with their maximum lengths. */
const QUALIFIERS: readonly (readonly [string, number])[] = [
  ['22', 20],
  ['10', 20],
  ['21', 20],
];
/** GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1). */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;

/** GS1 mod-10: weights 3,1,3,... from the right, excluding the check digit. */
export function gs1CheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  for (let i = 0; i < digitsWithoutCheck.length; i++) {
    const d = Number(digitsWithoutCheck[digitsWithoutCheck.length - 1 - i]);
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** GTIN-8/12/13/14 -> 14 digits, check digit verified. */
export function normaliseGtin(raw: string): string {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(raw)) {
    throw new IdnError(
      'IDN_ERR_GS1_INVALID_GTIN',
      `"${raw.slice(0, 32)}" is not a GTIN: expected 8, 12, 13 or 14 digits.`,
      {
        gtin: raw.slice(0, 32),
      },
    );
  }
  const gtin = raw.padStart(14, '0');
  const expected = gs1CheckDigit(gtin.slice(0, 13));
  if (Number(gtin[13]) !== expected) {
    throw new IdnError(
      'IDN_ERR_GS1_CHECK_DIGIT',
      `GTIN ${raw}: check digit ${gtin[13]} is wrong, the GS1 mod-10 check digit is ${expected}.`,
      { gtin: raw, expected },
    );
  }
  return gtin;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new IdnError('IDN_ERR_BAD_PERCENT_ENCODING', `"${segment.slice(0, 40)}" is not valid percent-encoding.`);
  }
}

function qualifierValue(ai: string, max: number, raw: string): string {
  const value = decode(raw);
  if (value.length === 0 || value.length > max || !CSET82.test(value)) {
    throw new IdnError(
      'IDN_ERR_GS1_INVALID_QUALIFIER',
      `AI ${ai} value "${value.slice(0, 40)}" must have 1 to ${max} characters from the GS1 character set 82.`,
      { ai },
    );
  }
  return value;
}

function unsupported(path: string): never {
  throw new IdnError(
    'IDN_ERR_GS1_UNSUPPORTED_PATH',
    `/${path.slice(0, 80)}: ${'expected /01/{gtin}, then optionally /22/{cpv}, /10/{lot}, /21/{serial} in that order.'}`,
  );
}

/** Parses the path after the host (`01/...`, still percent-encoded) into a GTIN and its qualifiers. */
export function parseGs1Path(path: string): Gs1Path {
  const parts = path.split('/');
  if (parts[0] !== '01' || parts.length < 2 || parts.length % 2 !== 0) unsupported(path);
  const gtin = normaliseGtin(decode(parts[1] ?? ''));
  const qualifiers: [string, string][] = [];
  let next = 0;
  for (let i = 2; i < parts.length; i += 2) {
    const ai = parts[i] ?? '';
    const at = QUALIFIERS.findIndex(([q]) => q === ai);
    if (at < next) unsupported(path);
    const [, max] = QUALIFIERS[at] as readonly [string, number];
    qualifiers.push([ai, qualifierValue(ai, max, parts[i + 1] ?? '')]);
    next = at + 1;
  }
  return { gtin, qualifiers };
}

/** The Digital Link path in canonical form (14-digit GTIN, qualifiers percent-encoded). */
export function gs1PathString(p: Gs1Path): string {
  return ['01', p.gtin, ...p.qualifiers.flatMap(([ai, v]) => [ai, encodeURIComponent(v)])].join('/');
}

/** The identifier text a Digital Link path maps to under `prefix`. */
export const gs1Identifier = (prefix: string, p: Gs1Path): string =>
  `${prefix}/${['01', p.gtin, ...p.qualifiers.flatMap(([ai, v]) => [ai, v])].join('/')}`;
