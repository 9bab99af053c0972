/**
 * Bounded big-endian reading and writing for the Handle wire format (RFC 3652 §2.1.1, §2.1.4):
 * int1/int2/int4, and byte strings as an int4 length then the bytes. A reader never reads past
 * its end and refuses lengths a CNRI decoder refuses too, so a hostile packet costs at most its size.
 */

/** The message could not be parsed: answered with RC 4 (protocol error) or dropped. */
export class WireError extends Error {
  override readonly name = 'WireError';
}

/** Arrays and strings longer than this are refused, as CNRI decoders do (core/Common.java MAX_ARRAY_SIZE). */
export const MAX_ARRAY = 1_048_576;

export class ByteReader {
  private pos: number;
  private readonly end: number;
  private readonly buf: Buffer;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): number {
    if (n > this.end - this.pos) throw new WireError(`truncated ${what}: needs ${n} bytes, ${this.remaining} left`);
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(what = 'int1'): number {
    return this.buf.readUInt8(this.need(1, what));
  }

  u16(what = 'int2'): number {
    return this.buf.readUInt16BE(this.need(2, what));
  }

  u32(what = 'int4'): number {
    return this.buf.readUInt32BE(this.need(4, what));
  }

  /** Signed, as the Java readers take int4 (lengths and counts below 0 are refused by `count`). */
  i32(what = 'int4'): number {
    return this.buf.readInt32BE(this.need(4, what));
  }

  /** An int4 count or length, refused below 0, above MAX_ARRAY or above the bytes left (each item >= minItem bytes). */
  count(what: string, minItem = 1): number {
    const n = this.i32(what);
    if (n < 0 || n > MAX_ARRAY) throw new WireError(`${what} ${n} is out of range 0-${MAX_ARRAY}`);
    if (n * minItem > this.remaining) throw new WireError(`${what} ${n} exceeds the ${this.remaining} bytes left`);
    return n;
  }

  bytes(what = 'byte array'): Buffer {
    const n = this.count(`${what} length`);
    return this.raw(n, what);
  }

  raw(n: number, what: string): Buffer {
    const at = this.need(n, what);
    return this.buf.subarray(at, at + n);
  }

  /** A UTF8-String; malformed UTF-8 is refused (a handle or type must round-trip). */
  utf8(what = 'string'): string {
    const b = this.bytes(what);
    const s = b.toString('utf8');
    if (Buffer.byteLength(s) !== b.length || s.includes('\uFFFD')) throw new WireError(`${what} is not valid UTF-8`);
    return s;
  }
}

/** A growable writer; `done()` returns exactly the bytes written. */
export class ByteWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(size = 256) {
    this.buf = Buffer.allocUnsafe(size);
  }

  private room(n: number): number {
    if (this.pos + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(next, 0, 0, this.pos);
      this.buf = next;
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(v: number): this {
    const at = this.room(1); // first: room() may replace this.buf
    this.buf.writeUInt8(v & 0xff, at);
    return this;
  }

  u16(v: number): this {
    const at = this.room(2);
    this.buf.writeUInt16BE(v & 0xffff, at);
    return this;
  }

  u32(v: number): this {
    const at = this.room(4);
    this.buf.writeUInt32BE(v >>> 0, at);
    return this;
  }

  raw(b: Uint8Array): this {
    const at = this.room(b.length);
    this.buf.set(b, at);
    return this;
  }

  bytes(b: Uint8Array): this {
    return this.u32(b.length).raw(b);
  }

  utf8(s: string): this {
    return this.bytes(Buffer.from(s, 'utf8'));
  }

  get length(): number {
    return this.pos;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}
