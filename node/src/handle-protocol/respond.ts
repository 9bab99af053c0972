import { createHash } from 'node:crypto';
import { HandleRc } from '../errors/codes.ts';
import { ByteWriter } from './bytes.ts';
import { encodeEnvelope, encodeHeader, hasFlag, type RequestMessage } from './message.ts';
import { ENVELOPE_SIZE, FLAG, HEADER_SIZE, RESPONSE_LIFETIME_S, SERVER_VERSION } from './protocol.ts';

/** What a handler answers; framing (envelope, digest, credential) is respond.ts's. */
export interface Reply {
  readonly rc: number;
  readonly body: Buffer;
  /** The envelope SessionId: a challenge's fresh id, else the request's. */
  readonly sessionId?: number;
  /** Challenges always carry the digest (research §5.1). */
  readonly forceDigest?: boolean;
  /** The request whose header+body the digest covers (after a challenge: the original one). */
  readonly digestOf?: RequestMessage;
  /** The opcode to answer with (after a challenge: the original one). */
  readonly opCode?: number;
}

export interface Version {
  readonly major: number;
  readonly minor: number;
}

const atLeast = (v: Version, major: number, minor: number): boolean =>
  v.major > major || (v.major === major && v.minor >= minor);

/** The client's suggested version, capped at ours (CNRI hdllib/AbstractResponse). */
export function responseVersion(req: RequestMessage): Version {
  const e = req.envelope;
  const mine = SERVER_VERSION;
  if (e.suggestedMajor > mine.major || (e.suggestedMajor === mine.major && e.suggestedMinor >= mine.minor)) return mine;
  return { major: e.suggestedMajor, minor: e.suggestedMinor };
}

/** The request digest by version: <2.1 int4 length + MD5, 2.1-2.6 code 2 + SHA-1, from 2.7 code 3 + SHA-256. */
export function requestDigest(v: Version, signed: Buffer): Buffer {
  if (!atLeast(v, 2, 1)) {
    return new ByteWriter(20).bytes(createHash('md5').update(signed).digest()).done();
  }
  const sha256 = atLeast(v, 2, 7);
  const d = createHash(sha256 ? 'sha256' : 'sha1')
    .update(signed)
    .digest();
  return Buffer.concat([Buffer.from([sha256 ? 3 : 2]), d]);
}

/** The raw digest bytes (no code byte) the client signs in a challenge answer. */
export function rawDigest(v: Version, signed: Buffer): Buffer {
  const d = requestDigest(v, signed);
  return atLeast(v, 2, 1) ? d.subarray(1) : d.subarray(4);
}

/** An error body: the message as a UTF8-String (its int4 length even when empty). */
export const errorBody = (message: string): Buffer => new ByteWriter(64).utf8(message.slice(0, 512)).done();

/** The whole response message: envelope (MessageLength = the rest) + header + [digest] + body + empty credential. */
export function encodeReply(req: RequestMessage, reply: Reply, siteSerial: number, nowSeconds: number): Buffer {
  const v = responseVersion(req);
  const digestReq = reply.digestOf ?? req;
  const rd = reply.forceDigest === true || hasFlag(digestReq.header, FLAG.RD);
  const digest = rd ? requestDigest(v, digestReq.signed) : Buffer.alloc(0);
  const bodyLength = digest.length + reply.body.length;
  // AT: this node is the primary for what it homes; RD set exactly when a digest is present.
  let flags = (req.header.opFlags & ~(FLAG.CN | FLAG.KC | FLAG.RD)) >>> 0;
  flags = (flags | FLAG.AT | (rd ? FLAG.RD : 0)) >>> 0;
  // Never RC 0 in a response: CNRI decoders read it as a request.
  const rc = reply.rc === 0 ? HandleRc.ERROR : reply.rc;
  const header = encodeHeader({
    opCode: reply.opCode ?? req.header.opCode,
    responseCode: rc,
    opFlags: flags,
    siteSerial,
    recursionCount: req.header.recursionCount,
    expiration: nowSeconds + RESPONSE_LIFETIME_S,
    bodyLength,
  });
  const messageLength = HEADER_SIZE + bodyLength + 4;
  const env = encodeEnvelope({
    major: v.major,
    minor: v.minor,
    suggestedMajor: SERVER_VERSION.major,
    suggestedMinor: SERVER_VERSION.minor,
    flags: 0,
    sessionId: reply.sessionId ?? req.envelope.sessionId,
    requestId: req.envelope.requestId,
    sequence: 0,
    messageLength,
  });
  const out = Buffer.allocUnsafe(ENVELOPE_SIZE + messageLength);
  env.copy(out, 0);
  header.copy(out, ENVELOPE_SIZE);
  digest.copy(out, ENVELOPE_SIZE + HEADER_SIZE);
  reply.body.copy(out, ENVELOPE_SIZE + HEADER_SIZE + digest.length);
  out.writeUInt32BE(0, out.length - 4);
  return out;
}
