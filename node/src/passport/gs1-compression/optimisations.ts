/**
 * GS1's optimisation codes: one 8-bit code stands for a sequence of AIs whose values follow
 * without AI headers. The AI order is the bit-stream order, as GS1's maintained compression
 * prototype and its ports use it (the older toolkits sorted 1A and 9D in place, see
 * docs/adr/0003-gs1-dl-compression.md). Every code has a hex digit A-F in it, so none reads as
 * a decimal AI prefix; F in the first place is reserved for non-GS1 key=value pairs.
 */

const FIXED: readonly (readonly [string, readonly string[]])[] = [
  ['0A', ['01', '22']],
  ['0B', ['01', '10']],
  ['0C', ['01', '21']],
  ['0D', ['01', '17']],
  ['0E', ['01', '7003']],
  ['0F', ['01', '30']],
  ['1A', ['01', '10', '21', '17']],
  ['1B', ['01', '15']],
  ['1C', ['01', '11']],
  ['1D', ['01', '16']],
  ['1E', ['01', '91']],
  ['1F', ['01', '10', '15']],
  ['9A', ['8010', '8011']],
  ['9B', ['8017', '8019']],
  ['9C', ['8018', '8019']],
  ['9D', ['414', '254']],
];

/** The numbered families: 2A-2F 01+3100..3105, 3A-3F 01+3200..3205, A0-A9 01+3920..3929, C0-C9 255+3900..3909, CA-CD 255+3940..3943. */
function family(code: (i: number) => string, key: string, ai: (i: number) => string, count: number) {
  return Array.from({ length: count }, (_, i) => [code(i), [key, ai(i)]] as const);
}

const hex = (i: number) => 'ABCDEF'[i] ?? '';

export const OPTIMISATIONS: ReadonlyMap<string, readonly string[]> = new Map([
  ...FIXED.slice(0, 12),
  ...family(
    (i) => `2${hex(i)}`,
    '01',
    (i) => `310${i}`,
    6,
  ),
  ...family(
    (i) => `3${hex(i)}`,
    '01',
    (i) => `320${i}`,
    6,
  ),
  ...FIXED.slice(12),
  ...family(
    (i) => `A${i}`,
    '01',
    (i) => `392${i}`,
    10,
  ),
  ...family(
    (i) => `C${i}`,
    '255',
    (i) => `390${i}`,
    10,
  ),
  ...family(
    (i) => `C${hex(i)}`,
    '255',
    (i) => `394${i}`,
    4,
  ),
]);

/** Codes whose AI order GS1's older toolkits (and digital-link.js) read differently: left out by default. */
export const ORDER_DISPUTED: ReadonlySet<string> = new Set(['1A', '9D']);
