import { ByteReader, ByteWriter, WireError } from './bytes.ts';
import { ENV, ENVELOPE_SIZE, FLAG, HEADER_SIZE, MAX_MESSAGE_LENGTH } from './protocol.ts';

/** The 20-byte message envelope (RFC 3652 §2.2.1, with CNRI's suggested-version bits). */
export interface Envelope {
  readonly major: number;
  readonly minor: number;
  readonly suggestedMajor: number;
  readonly suggestedMinor: number;
  /** CP / EC / TC bits (suggested-version bits masked off). */
  readonly flags: number;
  readonly sessionId: number;
  readonly requestId: number;
  readonly sequence: number;
  readonly messageLength: number;
}

export function decodeEnvelope(buf: Buffer, at = 0): Envelope {
  if (buf.length - at < ENVELOPE_SIZE) throw new WireError(`an envelope is ${ENVELOPE_SIZE} bytes`);
  const r = new ByteReader(buf, at, at + ENVELOPE_SIZE);
  const major = r.u8();
  const minor = r.u8();
  const b2 = r.u8();
  const b3 = r.u8();
  const env = {
    major,
    minor,
    // CNRI: a suggested major of 0 means "as the message's own version".
    suggestedMajor: (b2 & ENV.SUGGESTED_MAJOR_MASK) === 0 ? major : b2 & ENV.SUGGESTED_MAJOR_MASK,
    suggestedMinor: (b2 & ENV.SUGGESTED_MAJOR_MASK) === 0 ? minor : b3,
    flags: b2 & (ENV.CP | ENV.EC | ENV.TC),
    sessionId: r.u32(),
    requestId: r.u32(),
    sequence: r.u32(),
    messageLength: r.i32(),
  };
  if (env.messageLength < HEADER_SIZE || env.messageLength > MAX_MESSAGE_LENGTH) {
    throw new WireError(`MessageLength ${env.messageLength} is out of range ${HEADER_SIZE}-${MAX_MESSAGE_LENGTH}`);
  }
  return env;
}

export function encodeEnvelope(e: Envelope): Buffer {
  return new ByteWriter(ENVELOPE_SIZE)
    .u8(e.major)
    .u8(e.minor)
    .u8((e.flags & 0xe0) | (e.suggestedMajor & ENV.SUGGESTED_MAJOR_MASK))
    .u8(e.suggestedMinor)
    .u32(e.sessionId)
    .u32(e.requestId)
    .u32(e.sequence)
    .u32(e.messageLength)
    .done();
}

/** The 24-byte message header (RFC 3652 §2.2.2). */
export interface Header {
  readonly opCode: number;
  readonly responseCode: number;
  readonly opFlags: number;
  readonly siteSerial: number;
  readonly recursionCount: number;
  readonly expiration: number;
  readonly bodyLength: number;
}

/** A request as received: envelope, header, body, and the exact header+body bytes (the request digest covers them). */
export interface RequestMessage {
  readonly envelope: Envelope;
  readonly header: Header;
  readonly body: Buffer;
  /** Header + body as received, for the RD digest and the challenge. */
  readonly signed: Buffer;
}

export const hasFlag = (h: Header, flag: number): boolean => (h.opFlags & flag) >>> 0 !== 0;

/** Header, body and (ignored) credential of one message, `message` being the MessageLength bytes after the envelope. */
export function decodeMessage(envelope: Envelope, message: Buffer): RequestMessage {
  const r = new ByteReader(message);
  const opCode = r.u32();
  const responseCode = r.u32();
  const opFlags = r.u32();
  const siteSerial = r.u16();
  const recursionCount = r.u8();
  r.u8('reserved');
  const expiration = r.u32();
  const header: Header = { opCode, responseCode, opFlags, siteSerial, recursionCount, expiration, bodyLength: r.i32() };
  if (header.bodyLength < 0 || header.bodyLength > r.remaining) {
    throw new WireError(`BodyLength ${header.bodyLength} exceeds the ${r.remaining} bytes after the header`);
  }
  const body = r.raw(header.bodyLength, 'body');
  // The credential (signed requests) is not checked: this server authenticates by challenge-response.
  return { envelope, header, body, signed: message.subarray(0, HEADER_SIZE + header.bodyLength) };
}

export function encodeHeader(h: Header): Buffer {
  return new ByteWriter(HEADER_SIZE)
    .u32(h.opCode)
    .u32(h.responseCode)
    .u32(h.opFlags)
    .u16(h.siteSerial)
    .u8(h.recursionCount)
    .u8(0)
    .u32(h.expiration)
    .u32(h.bodyLength)
    .done();
}

/** Response flags keep the request's, minus what only a request means (CNRI echoes them, then sets AT). */
export const RESPONSE_FLAG_MASK = ~(FLAG.CN | FLAG.KC) >>> 0;
