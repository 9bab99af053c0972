import { createHash } from 'node:crypto';

/**
 * A Handle protocol client codec written from RFC 3652 / RFC 3651 and the research notes
 * (/work/shared/research/handle_protocol.md), independently of the server's: it shares no code
 * with node/src/handle-protocol, so a bug in one is caught by the other in the tests.
 */

export const OP = {
  RESOLUTION: 1,
  SITE_INFO: 2,
  CREATE: 100,
  DELETE: 101,
  ADD: 102,
  REMOVE: 103,
  MODIFY: 104,
  CHALLENGE_ANSWER: 200,
} as const;
export const RC = { SUCCESS: 1, AUTH_NEEDED: 402 } as const;
const OPF_RD = 0x00800000;
const OPF_REC = 0x10000000;
const OPF_CA = 0x08000000;
const OPF_PO = 0x01000000;
export const TC_BIT = 0x20;

/** Client side version: what HANDLE.NET 9.3 sends (2.11, suggesting 2.11). */
export const CLIENT_VERSION = [2, 11] as const;

export interface OutValue {
  readonly index: number;
  readonly type: string;
  readonly data: Uint8Array;
  readonly ttl?: number;
  /** Default 0x0e: admin read/write, public read. */
  readonly permissions?: number;
}

export interface InValue {
  readonly index: number;
  readonly timestamp: number;
  readonly ttlType: number;
  readonly ttl: number;
  readonly permissions: number;
  readonly type: string;
  readonly data: Buffer;
}

/** Appends big-endian fields to an array of chunks. */
class Out {
  private readonly parts: Buffer[] = [];
  int(n: number, size: 1 | 2 | 4): this {
    const b = Buffer.alloc(size);
    if (size === 1) b[0] = n & 0xff;
    else if (size === 2) b.writeUInt16BE(n & 0xffff);
    else b.writeUInt32BE(n >>> 0);
    this.parts.push(b);
    return this;
  }
  blob(b: Uint8Array): this {
    this.int(b.length, 4);
    this.parts.push(Buffer.from(b));
    return this;
  }
  text(s: string): this {
    return this.blob(Buffer.from(s, 'utf8'));
  }
  plain(b: Uint8Array): this {
    this.parts.push(Buffer.from(b));
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Reads fields in order; throws on a short buffer. */
export class In {
  at: number;
  readonly b: Buffer;
  constructor(b: Buffer, at = 0) {
    this.b = b;
    this.at = at;
  }
  int(size: 1 | 2 | 4): number {
    if (this.at + size > this.b.length) throw new Error(`response truncated at byte ${this.at}`);
    const v =
      size === 1 ? this.b.readUInt8(this.at) : size === 2 ? this.b.readUInt16BE(this.at) : this.b.readUInt32BE(this.at);
    this.at += size;
    return v;
  }
  blob(): Buffer {
    const n = this.int(4);
    if (this.at + n > this.b.length) throw new Error(`response field of ${n} bytes overruns the message`);
    const out = this.b.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  text(): string {
    return this.blob().toString('utf8');
  }
  left(): number {
    return this.b.length - this.at;
  }
}

export const bodyResolution = (handle: string, indexes: readonly number[], types: readonly string[]): Buffer => {
  const o = new Out().text(handle).int(indexes.length, 4);
  for (const i of indexes) o.int(i, 4);
  o.int(types.length, 4);
  for (const t of types) o.text(t);
  return o.bytes();
};

export function bodyValues(handle: string, values: readonly OutValue[]): Buffer {
  const o = new Out().text(handle).int(values.length, 4);
  for (const v of values) {
    o.int(v.index, 4)
      .int(0, 4)
      .int(0, 1)
      .int(v.ttl ?? 86_400, 4)
      .int(v.permissions ?? 0x0e, 1);
    o.text(v.type).blob(v.data).int(0, 4);
  }
  return o.bytes();
}

export const bodyHandle = (handle: string): Buffer => new Out().text(handle).bytes();

export function bodyRemove(handle: string, indexes: readonly number[]): Buffer {
  const o = new Out().text(handle).int(indexes.length, 4);
  for (const i of indexes) o.int(i, 4);
  return o.bytes();
}

export const bodyAnswer = (keyHandle: string, keyIndex: number, answer: Buffer): Buffer =>
  new Out().text('HS_SECKEY').text(keyHandle).int(keyIndex, 4).blob(answer).bytes();

/** HS_ADMIN data: int2 permissions, admin handle, admin index. */
export const adminData = (handle: string, index: number, permissions = 0x0fff): Buffer =>
  new Out().int(permissions, 2).text(handle).int(index, 4).bytes();

export interface RequestOptions {
  readonly requestId: number;
  readonly sessionId?: number;
  readonly publicOnly?: boolean;
  readonly digest?: boolean;
}

/** Header + body: the bytes a response digest covers. */
export function headerAndBody(op: number, body: Buffer, o: RequestOptions): Buffer {
  let flags = OPF_REC | OPF_CA;
  if (o.publicOnly !== false && op === OP.RESOLUTION) flags |= OPF_PO;
  if (o.digest !== false) flags |= OPF_RD;
  const expires = Math.floor(Date.now() / 1000) + 43_200;
  return new Out()
    .int(op, 4)
    .int(0, 4)
    .int(flags, 4)
    .int(0, 2)
    .int(0, 1)
    .int(0, 1)
    .int(expires, 4)
    .int(body.length, 4)
    .plain(body)
    .bytes();
}

/** A whole request: envelope, header, body, empty credential. */
export function request(signed: Buffer, o: RequestOptions): Buffer {
  const [maj, min] = CLIENT_VERSION;
  const env = new Out()
    .int(maj, 1)
    .int(min, 1)
    .int(maj & 3, 1)
    .int(min, 1)
    .int(o.sessionId ?? 0, 4)
    .int(o.requestId, 4)
    .int(0, 4)
    .int(signed.length + 4, 4);
  return Buffer.concat([env.bytes(), signed, Buffer.alloc(4)]);
}

export interface Envelope {
  readonly major: number;
  readonly minor: number;
  readonly truncated: boolean;
  readonly sessionId: number;
  readonly requestId: number;
  readonly sequence: number;
  readonly length: number;
}

export function readEnvelope(b: Buffer): Envelope {
  if (b.length < 20) throw new Error('short envelope');
  return {
    major: b[0] ?? 0,
    minor: b[1] ?? 0,
    truncated: ((b[2] ?? 0) & TC_BIT) !== 0,
    sessionId: b.readUInt32BE(4),
    requestId: b.readUInt32BE(8),
    sequence: b.readUInt32BE(12),
    length: b.readUInt32BE(16),
  };
}

export interface Response {
  readonly envelope: Envelope;
  readonly opCode: number;
  readonly rc: number;
  readonly flags: number;
  readonly expiration: number;
  /** The digest the server sent (code byte included), when RD was set. */
  readonly digest?: Buffer;
  /** The body after the digest. */
  readonly body: Buffer;
}

const DIGEST_LEN: Record<number, number> = { 1: 16, 2: 20, 3: 32 };

/** Parses a message (the bytes after the envelope). */
export function readResponse(envelope: Envelope, message: Buffer): Response {
  const r = new In(message);
  const opCode = r.int(4);
  const rc = r.int(4);
  const flags = r.int(4);
  r.at += 4; // site serial, recursion count, reserved
  const expiration = r.int(4);
  const bodyLength = r.int(4);
  const body = message.subarray(24, 24 + bodyLength);
  if (body.length !== bodyLength) throw new Error('body shorter than BodyLength');
  let digest: Buffer | undefined;
  let rest = body;
  if ((flags & OPF_RD) !== 0) {
    const code = body[0] ?? -1;
    const len = DIGEST_LEN[code];
    if (len === undefined) throw new Error(`unknown digest code ${code}`);
    digest = body.subarray(0, 1 + len);
    rest = body.subarray(1 + len);
  }
  return { envelope, opCode, rc, flags, expiration, ...(digest ? { digest } : {}), body: rest };
}

/** The digest this client expects for the header+body it sent, at the response version (>= 2.7: SHA-256). */
export function expectedDigest(major: number, minor: number, signed: Buffer): Buffer {
  const sha256 = major > 2 || (major === 2 && minor >= 7);
  return Buffer.concat([
    Buffer.from([sha256 ? 3 : 2]),
    createHash(sha256 ? 'sha256' : 'sha1')
      .update(signed)
      .digest(),
  ]);
}

export function readValue(r: In): InValue {
  const index = r.int(4);
  const timestamp = r.int(4);
  const ttlType = r.int(1);
  const ttl = r.int(4);
  const permissions = r.int(1);
  const type = r.text();
  const data = r.blob();
  const refs = r.int(4);
  for (let i = 0; i < refs; i++) {
    r.text();
    r.int(4);
  }
  return { index, timestamp, ttlType, ttl, permissions, type, data };
}

/** A resolution success body: handle, count, values. */
export function readResolution(body: Buffer): { handle: string; values: InValue[] } {
  const r = new In(body);
  const handle = r.text();
  const n = r.int(4);
  const values: InValue[] = [];
  for (let i = 0; i < n; i++) values.push(readValue(r));
  return { handle, values };
}

/** An error body: the message (int4 length + UTF-8). */
export const readErrorMessage = (body: Buffer): string => (body.length >= 4 ? new In(body).text() : '');
