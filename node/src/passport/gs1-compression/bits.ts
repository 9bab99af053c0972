import { IdnError } from '../../errors/idn-error.ts';

/**
 * Bit strings of the compressed form, most significant bit first, and their base64url text
 * (RFC 4648 alphabet A-Z a-z 0-9 - _, no padding): each character is 6 bits.
 */

export const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
export const BASE64URL_RE = /^[A-Za-z0-9_-]+$/;

export class BitWriter {
  private bits = '';

  /** Appends `value` as exactly `width` bits. BigInt so 18- and 20-digit numbers keep every bit. */
  write(value: bigint | number, width: number): void {
    const text = BigInt(value).toString(2);
    if (text.length > width) throw new Error(`bit writer: ${value} does not fit in ${width} bits`);
    this.bits += text.padStart(width, '0');
  }

  get length(): number {
    return this.bits.length;
  }

  /** The base64url text, zero-padded to a whole character. */
  toBase64url(): string {
    const padded = this.bits.padEnd(Math.ceil(this.bits.length / 6) * 6, '0');
    let out = '';
    for (let i = 0; i < padded.length; i += 6) out += BASE64URL[parseInt(padded.slice(i, i + 6), 2)];
    return out;
  }
}

/** Reads a bit stream; every read past the end is the coded "truncated" error with its position. */
export class BitReader {
  private pos = 0;
  private readonly bits: string;

  private constructor(bits: string) {
    this.bits = bits;
  }

  static fromBase64url(segment: string): BitReader {
    let bits = '';
    for (let i = 0; i < segment.length; i++) {
      const v = BASE64URL.indexOf(segment.charAt(i));
      if (v < 0) {
        throw new IdnError(
          'IDN_ERR_GS1_COMPRESSED_ALPHABET',
          `Character ${i + 1} of the compressed segment ("${segment.charAt(i)}") is not base64url (A-Z a-z 0-9 - _).`,
          { position: i + 1 },
        );
      }
      bits += v.toString(2).padStart(6, '0');
    }
    return new BitReader(bits);
  }

  get position(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.bits.length - this.pos;
  }

  read(width: number, what: string): bigint {
    if (width > this.remaining) {
      throw new IdnError(
        'IDN_ERR_GS1_COMPRESSED_TRUNCATED',
        `The compressed segment ends at bit ${this.bits.length} inside ${what}, which needs ${width} bits from bit ${this.pos}.`,
        { bit: this.pos, needed: width, available: this.remaining },
      );
    }
    const chunk = this.bits.slice(this.pos, this.pos + width);
    this.pos += width;
    return width === 0 ? 0n : BigInt(`0b${chunk}`);
  }

  readNumber(width: number, what: string): number {
    return Number(this.read(width, what));
  }

  /** The unread rest, for the padding check. */
  rest(): string {
    return this.bits.slice(this.pos);
  }
}
