import { IdnError } from '../../errors/idn-error.ts';
import { gs1CheckDigit } from '../gs1.ts';
import { AI_TABLE, PRIMARY_KEYS, type AiFormat, type Charset, type Component } from './ai-table.ts';

/** GS1 element strings: one AI and its value, checked against the AI's format. */

export interface Gs1Element {
  readonly ai: string;
  readonly value: string;
}

const CHARSETS: Readonly<Record<Charset, RegExp>> = {
  // GS1 General Specifications figure 7.11-1 (CSET 82), 7.11-2 (CSET 39), 7.11-3 (CSET 64).
  cset82: /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/,
  cset39: /^[#\-/0-9A-Z]*$/,
  cset64: /^[A-Za-z0-9_=-]*$/,
};

export function formatOf(ai: string): AiFormat {
  const f = AI_TABLE.get(ai);
  if (f === undefined) throw new IdnError('IDN_ERR_GS1_COMPRESSED_UNKNOWN_AI', `(${ai.slice(0, 8)}) is not a GS1 AI.`);
  return f;
}

const invalid = (ai: string, value: string, why: string): IdnError =>
  new IdnError('IDN_ERR_GS1_INVALID_ELEMENT', `AI ${ai} value "${value.slice(0, 40)}": ${why}.`, { ai });

/** Splits a value into its components' parts (only the last component can be variable). */
export function splitValue(f: AiFormat, value: string): string[] {
  const parts: string[] = [];
  let at = 0;
  f.components.forEach((c, i) => {
    const last = i === f.components.length - 1;
    const take = c.fixed || !last ? c.length : value.length - at;
    parts.push(value.slice(at, at + take));
    at += take;
  });
  if (at < value.length) throw invalid(f.ai, value, `longer than its ${describe(f)} format`);
  return parts;
}

const describe = (f: AiFormat): string =>
  f.components
    .map((c) => `${c.optional ? '[' : ''}${c.kind}${c.fixed ? '' : '..'}${c.length}${c.optional ? ']' : ''}`)
    .join(' ');

function checkPart(f: AiFormat, c: Component, part: string, value: string): void {
  if (c.fixed && part.length !== c.length) throw invalid(f.ai, value, `needs the format ${describe(f)}`);
  if (part.length > c.length) throw invalid(f.ai, value, `longer than its ${describe(f)} format`);
  if (part.length === 0 && !c.optional && !c.fixed) throw invalid(f.ai, value, 'is empty');
  if (c.kind === 'N' && !/^\d*$/.test(part)) throw invalid(f.ai, value, `must be digits (${describe(f)})`);
  if (c.kind === 'X' && !CHARSETS[f.charset].test(part))
    throw invalid(f.ai, value, `has a character outside GS1 ${f.charset.toUpperCase()}`);
}

/** Throws the coded error naming the AI when `value` does not fit AI `ai` (format, character set, check digit). */
export function checkElement(e: Gs1Element): void {
  const f = formatOf(e.ai);
  if (e.value.length === 0) throw invalid(e.ai, e.value, 'is empty');
  const parts = splitValue(f, e.value);
  f.components.forEach((c, i) => checkPart(f, c, parts[i] ?? '', e.value));
  if (f.checkDigitAt !== undefined) {
    const body = e.value.slice(0, f.checkDigitAt - 1);
    const expected = gs1CheckDigit(body);
    const actual = e.value.charAt(f.checkDigitAt - 1);
    if (Number(actual) !== expected) {
      throw new IdnError(
        'IDN_ERR_GS1_CHECK_DIGIT',
        `AI ${e.ai} value ${e.value.slice(0, 40)}: check digit ${actual} (digit ${f.checkDigitAt}) is wrong, the GS1 mod-10 check digit is ${expected}.`,
        { ai: e.ai, expected },
      );
    }
  }
}

export const isPrimaryKey = (ai: string): boolean => PRIMARY_KEYS.has(ai);

/** A GTIN-8, -12 or -13 (AIs 01, 02, 03) as the 14 digits the compressed form and the output carry. */
export function padGtin(e: Gs1Element): Gs1Element {
  if (!['01', '02', '03'].includes(e.ai) || !/^(\d{8}|\d{12}|\d{13})$/.test(e.value)) return e;
  return { ai: e.ai, value: e.value.padStart(14, '0') };
}

/** The element strings of one Digital Link, sorted into primary key, its qualifiers (path order) and the rest. */
export interface DigitalLinkElements {
  readonly key: Gs1Element;
  readonly qualifiers: readonly Gs1Element[];
  readonly attributes: readonly Gs1Element[];
}

const rules = (message: string): IdnError => new IdnError('IDN_ERR_GS1_INVALID_DIGITAL_LINK', message);

/** Checks every element and the key rules: one primary key, no AI twice, one qualifier sequence. */
export function arrange(elements: readonly Gs1Element[]): DigitalLinkElements {
  const seen = new Set<string>();
  for (const e of elements) {
    if (seen.has(e.ai)) throw rules(`AI ${e.ai} appears twice.`);
    seen.add(e.ai);
    checkElement(e);
  }
  const keys = elements.filter((e) => isPrimaryKey(e.ai));
  const [key, second] = keys;
  if (key === undefined)
    throw rules(`No GS1 primary key (such as 01 GTIN or 00 SSCC) among AIs ${[...seen].join(', ')}.`);
  if (second !== undefined) throw rules(`Two primary keys, ${key.ai} and ${second.ai}: a Digital Link has one.`);
  const sequences = PRIMARY_KEYS.get(key.ai) ?? [];
  const present = sequences.filter((s) => s.some((ai) => seen.has(ai)));
  if (present.length > 1) {
    const names = present.map((s) => s.filter((ai) => seen.has(ai)).join('+')).join(' and ');
    throw rules(`Key ${key.ai} takes the qualifiers ${names} only as alternatives, not together.`);
  }
  const order = present[0] ?? [];
  const qualifiers = order.flatMap((ai) => elements.filter((e) => e.ai === ai));
  const attributes = elements.filter((e) => e !== key && !order.includes(e.ai)).sort((a, b) => (a.ai < b.ai ? -1 : 1));
  return { key, qualifiers, attributes };
}
