import { IdnError } from '../errors/idn-error.ts';

/**
 * The GS1 primary keys this node resolves as Digital Link paths, with their key qualifiers (GS1
 * Digital Link URI Syntax 1.x, section 4; GS1 General Specifications for the value formats).
 * A key's qualifiers come in a fixed order of positions; each position is optional and may offer
 * alternatives (GLN: 254 or 7040). GMN (8013, check character pair) and the 410-415 party keys
 * other than 414/417 are not supported (400 IDN_ERR_GS1_UNSUPPORTED_PATH).
 */

/** GS1 AI encodable character set 82 (GS1 General Specifications, figure 7.11-1). */
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]+$/;
/** Character set 39 (CPID). */
const CSET39 = /^[#\-/0-9A-Z]+$/;

/** What a walk-up to this level is called (x-idnode-resolved-via): a lot is a batch, anything above it the model. */
export type LevelKind = 'batch' | 'model';

export interface QualifierSpec {
  readonly ai: string;
  readonly name: string;
  check(value: string): void;
}

export interface PrimaryKeySpec {
  readonly ai: string;
  readonly name: string;
  /** The value checked and in canonical form (a GTIN-13 padded to 14 digits). */
  normalise(value: string): string;
  /** Positions in order; each holds the AIs allowed there. */
  readonly qualifiers: readonly (readonly QualifierSpec[])[];
}

/** GS1 mod-10: weights 3,1,3,... from the right, excluding the check digit. */
export function gs1CheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  for (let i = 0; i < digitsWithoutCheck.length; i++) {
    const d = Number(digitsWithoutCheck[digitsWithoutCheck.length - 1 - i]);
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

const show = (v: string): string => JSON.stringify(v.slice(0, 40));

function badKey(ai: string, name: string, value: string, shape: string): never {
  throw new IdnError('IDN_ERR_GS1_INVALID_KEY', `AI ${ai} (${name}) value ${show(value)} must be ${shape}.`, { ai });
}

function checkDigitOf(ai: string, name: string, digits: string): void {
  const expected = gs1CheckDigit(digits.slice(0, -1));
  if (Number(digits.at(-1)) === expected) return;
  throw new IdnError(
    'IDN_ERR_GS1_CHECK_DIGIT',
    `AI ${ai} (${name}) ${digits}: check digit ${digits.at(-1)} is wrong, the GS1 mod-10 check digit is ${expected}.`,
    { ai, expected },
  );
}

/** N digits with a check digit at position `checkAt` (the last digit of the first checkAt digits). */
function numericKey(ai: string, name: string, length: number, checkAt = length) {
  return (v: string): string => {
    if (!new RegExp(`^\\d{${length}}$`).test(v)) badKey(ai, name, v, `${length} digits`);
    checkDigitOf(ai, name, v.slice(0, checkAt));
    return v;
  };
}

/** N digits with check digit, then an optional serial of up to `max` characters of `charset`. */
function numericWithSerial(ai: string, name: string, digits: number, max: number, charset: RegExp, first = 0) {
  return (v: string): string => {
    const head = v.slice(0, digits);
    const tail = v.slice(digits);
    if (!new RegExp(`^\\d{${digits}}$`).test(head)) badKey(ai, name, v, `${digits} digits, then up to ${max} more`);
    if (tail.length > max || (tail !== '' && !charset.test(tail))) {
      badKey(ai, name, v, `${digits} digits, then up to ${max} characters of the GS1 set`);
    }
    checkDigitOf(ai, name, head.slice(first));
    return v;
  };
}

function textKey(ai: string, name: string, max: number, charset: RegExp, shape: string) {
  return (v: string): string => {
    if (v.length === 0 || v.length > max || !charset.test(v)) badKey(ai, name, v, `1 to ${max} characters ${shape}`);
    return v;
  };
}

function gtin(v: string): string {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(v)) {
    throw new IdnError('IDN_ERR_GS1_INVALID_GTIN', `${show(v)} is not a GTIN: expected 8, 12, 13 or 14 digits.`, {
      gtin: v.slice(0, 32),
    });
  }
  const g = v.padStart(14, '0');
  const expected = gs1CheckDigit(g.slice(0, 13));
  if (Number(g[13]) !== expected) {
    throw new IdnError(
      'IDN_ERR_GS1_CHECK_DIGIT',
      `GTIN ${v}: check digit ${g[13]} is wrong, the GS1 mod-10 check digit is ${expected}.`,
      { gtin: v, expected },
    );
  }
  return g;
}

function qualifier(ai: string, name: string, max: number, charset: RegExp, exact = false): QualifierSpec {
  return {
    ai,
    name,
    check(value) {
      const lengthOk = exact ? value.length === max : value.length >= 1 && value.length <= max;
      if (lengthOk && charset.test(value)) return;
      const many = exact ? `exactly ${max}` : `1 to ${max}`;
      throw new IdnError(
        'IDN_ERR_GS1_INVALID_QUALIFIER',
        `AI ${ai} (${name}) value ${show(value)} must have ${many} characters ${charset === CSET82 ? 'from the GS1 character set 82' : 'that are digits'}.`,
        { ai },
      );
    },
  };
}

const DIGITS = /^\d+$/;
const CPV = qualifier('22', 'consumer product variant', 20, CSET82);
const LOT = qualifier('10', 'batch/lot', 20, CSET82);
const SERIAL = qualifier('21', 'serial', 20, CSET82);
const GLN_EXTENSION = qualifier('254', 'GLN extension', 20, CSET82);
const UIC_EXT = qualifier('7040', 'GS1 UIC with extension 1 and importer index', 4, CSET82, true);
const GTIN_QUALIFIERS = [[CPV], [LOT], [SERIAL]];

/** Every supported primary key, by AI. */
export const PRIMARY_KEYS: ReadonlyMap<string, PrimaryKeySpec> = new Map(
  (
    [
      { ai: '01', name: 'GTIN', normalise: gtin, qualifiers: GTIN_QUALIFIERS },
      { ai: '00', name: 'SSCC', normalise: numericKey('00', 'SSCC', 18), qualifiers: [] },
      {
        ai: '253',
        name: 'GDTI',
        normalise: numericWithSerial('253', 'GDTI', 13, 17, CSET82),
        qualifiers: [],
      },
      { ai: '255', name: 'GCN', normalise: numericWithSerial('255', 'GCN', 13, 12, DIGITS), qualifiers: [] },
      { ai: '401', name: 'GINC', normalise: textKey('401', 'GINC', 30, CSET82, 'of the GS1 set'), qualifiers: [] },
      { ai: '402', name: 'GSIN', normalise: numericKey('402', 'GSIN', 17), qualifiers: [] },
      {
        ai: '414',
        name: 'GLN of a physical location',
        normalise: numericKey('414', 'GLN', 13),
        qualifiers: [[GLN_EXTENSION, UIC_EXT]],
      },
      { ai: '417', name: 'party GLN', normalise: numericKey('417', 'GLN', 13), qualifiers: [[UIC_EXT]] },
      // GRAI: a filler 0, 13 digits with check digit, then an optional serial.
      { ai: '8003', name: 'GRAI', normalise: numericWithSerial('8003', 'GRAI', 14, 16, CSET82, 1), qualifiers: [] },
      { ai: '8004', name: 'GIAI', normalise: textKey('8004', 'GIAI', 30, CSET82, 'of the GS1 set'), qualifiers: [] },
      // ITIP: GTIN-14 (check digit), then piece and total (2 digits each).
      { ai: '8006', name: 'ITIP', normalise: numericKey('8006', 'ITIP', 18, 14), qualifiers: GTIN_QUALIFIERS },
      {
        ai: '8010',
        name: 'CPID',
        normalise: textKey('8010', 'CPID', 30, CSET39, 'of digits, A-Z, "#", "-", "/"'),
        qualifiers: [[qualifier('8011', 'CPID serial', 12, DIGITS)]],
      },
      {
        ai: '8017',
        name: 'GSRN of a provider',
        normalise: numericKey('8017', 'GSRN', 18),
        qualifiers: [[qualifier('8019', 'service relation instance', 10, DIGITS)]],
      },
      {
        ai: '8018',
        name: 'GSRN of a recipient',
        normalise: numericKey('8018', 'GSRN', 18),
        qualifiers: [[qualifier('8019', 'service relation instance', 10, DIGITS)]],
      },
    ] satisfies PrimaryKeySpec[]
  ).map((k) => [k.ai, k]),
);

/** The AIs of every supported primary key, for the resolver description. */
export const PRIMARY_KEY_AIS: readonly string[] = [...PRIMARY_KEYS.keys()];

/** Every AI that may appear as a path segment (primary keys and qualifiers): never a query attribute. */
export const PATH_AIS: ReadonlySet<string> = new Set([
  ...PRIMARY_KEY_AIS,
  ...[...PRIMARY_KEYS.values()].flatMap((k) => k.qualifiers.flat().map((q) => q.ai)),
]);

/** The level a walk-up reaches when the path ends in `ai`: a lot is a batch; above it, the product (model). */
export const levelKindOf = (ai: string): LevelKind => (ai === '10' ? 'batch' : 'model');
