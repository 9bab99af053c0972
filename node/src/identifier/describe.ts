/** Safe, specific wording for error messages: never echo invisible or control characters raw. */

// Characters that would be invisible, reorder text or glue onto the quotes if printed raw.
const UNPRINTABLE = /[\p{C}\p{Z}\p{M}\p{Default_Ignorable_Code_Point}]/u;

const NAMES: Readonly<Record<number, string>> = {
  0x00: 'NULL',
  0x09: 'CHARACTER TABULATION',
  0x0a: 'LINE FEED',
  0x0d: 'CARRIAGE RETURN',
  0x20: 'SPACE',
  0x7f: 'DELETE',
  0xa0: 'NO-BREAK SPACE',
  0xad: 'SOFT HYPHEN',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x3000: 'IDEOGRAPHIC SPACE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (byte order mark)',
};

export const hexCodePoint = (cp: number): string => 'U+' + cp.toString(16).toUpperCase().padStart(4, '0');

export const isPrintable = (cp: number): boolean => !UNPRINTABLE.test(String.fromCodePoint(cp));

/** '"?" (U+003F)' for printable characters, 'U+200B ZERO WIDTH SPACE' otherwise. */
export function describeCodePoint(cp: number): string {
  const hex = hexCodePoint(cp);
  if (isPrintable(cp)) {
    const ch = String.fromCodePoint(cp);
    return ch === '"' ? `'"' (${hex})` : `"${ch}" (${hex})`;
  }
  const name = NAMES[cp];
  return name === undefined ? hex : `${hex} ${name}`;
}

/** Machine-readable facts about one offending code point for IdnError.detail. */
export function codePointDetail(cp: number, position: number): Record<string, unknown> {
  const detail: Record<string, unknown> = { codePoint: hexCodePoint(cp), position };
  if (isPrintable(cp)) detail['char'] = String.fromCodePoint(cp);
  return detail;
}

/** 1-based position, in code points, of the UTF-16 index within s. */
export function codePointPosition(s: string, index: number): number {
  let position = 1;
  for (let i = 0; i < index; i++) {
    const c = s.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < index) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    position++;
  }
  return position;
}

/** s with every unprintable code point shown as <U+XXXX>, cut to max code points. */
export function printable(s: string, max = 40): string {
  let out = '';
  let n = 0;
  for (const ch of s) {
    if (n++ === max) return out + '...';
    const cp = ch.codePointAt(0) ?? 0;
    out += isPrintable(cp) ? ch : `<${hexCodePoint(cp)}>`;
  }
  return out;
}
