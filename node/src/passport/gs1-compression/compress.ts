import { IdnError } from '../../errors/idn-error.ts';
import { PRIMARY_KEYS } from './ai-table.ts';
import { BASE64URL, BASE64URL_RE, BitWriter } from './bits.ts';
import { arrange, formatOf, type Gs1Element } from './elements.ts';
import { ORDER_DISPUTED, OPTIMISATIONS } from './optimisations.ts';
import { encodeValue, findPrimaryKey, pathElements, readQuery, splitUri, type OtherPair } from './uri.ts';
import { writeText, writeValue } from './values.ts';

/**
 * Compression of GS1 Digital Link URIs, bit for bit as GS1's compression prototype does it
 * (greedy optimisation codes, the other AIs in AI order, non-GS1 pairs last), with two choices
 * of ours: digits with a leading zero go as hex (lossless in every decoder), and by default the
 * codes 1A and 9D are not used, since GS1's older toolkits read their AIs in another order.
 */

export interface CompressOptions {
  /** Use optimisation codes (default true). */
  readonly optimise?: boolean;
  /** Leave out 1A and 9D so that every GS1 toolkit decodes the result (default true). */
  readonly avoidDisputedCodes?: boolean;
  /** Pack the non-GS1 query pairs into the segment (default false: they stay a readable query). */
  readonly compressOthers?: boolean;
  /** Keep the primary key readable: `/01/{gtin}/{segment}` (default false). */
  readonly partial?: boolean;
}

const invalid = (message: string): IdnError => new IdnError('IDN_ERR_GS1_INVALID_DIGITAL_LINK', message);

/** The optimisation code that covers the most AI digits of `present` (ties: GS1's table order). */
function bestCode(present: ReadonlySet<string>, avoid: boolean): [string, readonly string[]] | undefined {
  let best: [string, readonly string[]] | undefined;
  let bestDigits = 0;
  for (const [code, ais] of OPTIMISATIONS) {
    if ((avoid && ORDER_DISPUTED.has(code)) || !ais.every((ai) => present.has(ai))) continue;
    const digits = ais.reduce((n, ai) => n + ai.length, 0);
    if (digits > bestDigits) [best, bestDigits] = [[code, ais], digits];
  }
  return best;
}

function writeOther(w: BitWriter, o: OtherPair): void {
  if (!BASE64URL_RE.test(o.key) || o.key.length > 127) {
    throw invalid(`The non-GS1 key "${o.key.slice(0, 40)}" cannot be compressed: 1 to 127 characters A-Z a-z 0-9 - _.`);
  }
  if (!/^[\x20-\x7e]{0,127}$/.test(o.value)) {
    throw invalid(`The value of "${o.key}" cannot be compressed: at most 127 printable ASCII characters.`);
  }
  w.write(15, 4);
  w.write(o.key.length, 7);
  for (const ch of o.key) w.write(BASE64URL.indexOf(ch), 6);
  writeText(w, o.value, 7);
}

/** The base64url segment of `elements` (already checked) and the non-GS1 pairs to pack. */
export function compressElements(
  elements: readonly Gs1Element[],
  others: readonly OtherPair[],
  opts: CompressOptions = {},
): string {
  const values = new Map(elements.map((e) => [e.ai, e.value]));
  const w = new BitWriter();
  const put = (ai: string) => writeValue(w, formatOf(ai), values.get(ai) ?? '');
  for (;;) {
    const code =
      opts.optimise === false ? undefined : bestCode(new Set(values.keys()), opts.avoidDisputedCodes !== false);
    if (code === undefined) break;
    w.write(parseInt(code[0], 16), 8);
    code[1].forEach(put);
    code[1].forEach((ai) => values.delete(ai));
  }
  for (const ai of [...values.keys()].sort()) {
    for (const digit of ai) w.write(Number(digit), 4);
    put(ai);
  }
  others.forEach((o) => writeOther(w, o));
  return w.toBase64url();
}

/** The elements of an uncompressed Digital Link URI, or the coded error saying what is wrong with it. */
function readUncompressed(uri: string) {
  const split = splitUri(uri);
  const keyAt = findPrimaryKey(split.segments);
  if (keyAt < 0) {
    // Name the real fault (a check digit, a qualifier out of order) when some segment is a key.
    const at = split.segments.findIndex((s, i) => PRIMARY_KEYS.has(s) && (split.segments.length - i) % 2 === 0);
    if (at >= 0) arrange(pathElements(split.segments, at));
    throw invalid(
      `${uri.slice(0, 80)} has no GS1 Digital Link path: expected /{primary key AI}/{value}[/{qualifier AI}/{value}...].`,
    );
  }
  const stem = `${split.origin}${split.segments
    .slice(0, keyAt)
    .map((s) => `/${s}`)
    .join('')}`;
  const query = readQuery(split.query);
  return { stem, arranged: arrange([...pathElements(split.segments, keyAt), ...query.elements]), others: query.others };
}

/** The compressed form of an uncompressed GS1 Digital Link URI, on the same stem. */
export function compressDigitalLink(uri: string, opts: CompressOptions = {}): string {
  const { stem, arranged, others } = readUncompressed(uri);
  const { key } = arranged;
  const all = [key, ...arranged.qualifiers, ...arranged.attributes];
  const packed = opts.compressOthers === true ? others : [];
  const inSegment = opts.partial === true ? all.slice(1) : all;
  const head = opts.partial === true ? `/${key.ai}/${encodeValue(key.value)}` : '';
  const segment = inSegment.length === 0 && packed.length === 0 ? '' : `/${compressElements(inSegment, packed, opts)}`;
  const query =
    opts.compressOthers === true || others.length === 0 ? '' : `?${others.map((o) => o.raw ?? '').join('&')}`;
  return `${stem}${head}${segment}${query}`;
}
