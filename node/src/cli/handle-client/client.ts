import { createHash, createHmac, pbkdf2Sync, randomBytes, randomInt } from 'node:crypto';
import { tcpExchange, udpExchange, type Exchanged } from './transport.ts';
import {
  OP,
  RC,
  bodyAnswer,
  bodyHandle,
  bodyRemove,
  bodyResolution,
  bodyValues,
  expectedDigest,
  headerAndBody,
  readErrorMessage,
  readResolution,
  readResponse,
  request,
  type InValue,
  type OutValue,
  type Response,
} from './wire.ts';

export interface HandleClientOptions {
  readonly host: string;
  readonly port: number;
  /** UDP first, then TCP when UDP gives no whole answer (CNRI's order); false: TCP only. */
  readonly udp?: boolean;
  readonly udpWaitsMs?: readonly number[];
  readonly tcpTimeoutMs?: number;
  /** The local address TCP connects from (tests of per-address rules use 127.0.0.2 and up). */
  readonly localAddress?: string;
}

export interface Answer {
  readonly rc: number;
  readonly opCode: number;
  /** The transport that answered: 'udp', or 'tcp' (asked, or after UDP fell through). */
  readonly via: 'udp' | 'tcp';
  readonly message?: string;
  readonly values?: readonly InValue[];
  readonly handle?: string;
  readonly body: Buffer;
  readonly response: Response;
}

export interface SecretKey {
  readonly handle: string;
  readonly index: number;
  readonly secret: string;
}

/** HS_SECKEY answer from 2.7 on (research §5.2): 0x22, salt, iterations, key bits, HMAC-SHA1(PBKDF2 key, nonce‖digest). */
export function secretKeyAnswer(secret: string, nonce: Buffer, digest: Buffer, major: number, minor: number): Buffer {
  if (major === 2 && minor < 7) {
    const h = createHash('sha1').update(secret).update(nonce).update(digest).update(secret).digest();
    return Buffer.concat([Buffer.from([0x02]), h]);
  }
  const salt = randomBytes(16);
  const iterations = 10_000;
  const key = pbkdf2Sync(Buffer.from(secret, 'utf8'), salt, iterations, 20, 'sha1');
  const mac = createHmac('sha1', key).update(nonce).update(digest).digest();
  const head = Buffer.alloc(1 + 4);
  head[0] = 0x22;
  head.writeUInt32BE(salt.length, 1);
  const tail = Buffer.alloc(12);
  tail.writeUInt32BE(iterations, 0);
  tail.writeUInt32BE(160, 4);
  tail.writeUInt32BE(mac.length, 8);
  return Buffer.concat([head, salt, tail, mac]);
}

/** A small Handle client: resolution over UDP/TCP, site info, administration with secret-key challenge-response. */
export class HandleClient {
  private readonly o: HandleClientOptions;

  constructor(o: HandleClientOptions) {
    this.o = o;
  }

  private async exchange(out: Buffer, udp: boolean): Promise<{ ex: Exchanged; via: 'udp' | 'tcp' }> {
    if (udp) {
      try {
        return {
          ex: await udpExchange(this.o.host, this.o.port, out, { waitsMs: this.o.udpWaitsMs ?? [500, 1000, 1500] }),
          via: 'udp',
        };
      } catch {
        // No whole answer over UDP (lost, or too long for the server to send): TCP, as CNRI clients do.
      }
    }
    return {
      ex: await tcpExchange(this.o.host, this.o.port, out, this.o.tcpTimeoutMs ?? 5000, this.o.localAddress),
      via: 'tcp',
    };
  }

  /** Sends one request, checks request id, digest and expiry, and decodes the body by opcode and RC. */
  async send(
    op: number,
    body: Buffer,
    opts: { sessionId?: number; publicOnly?: boolean; udp?: boolean } = {},
  ): Promise<Answer & { signed: Buffer }> {
    const requestId = randomInt(1, 0x7fffffff);
    const signed = headerAndBody(op, body, { requestId, ...opts });
    const out = request(signed, { requestId, ...(opts.sessionId === undefined ? {} : { sessionId: opts.sessionId }) });
    const { ex, via } = await this.exchange(out, opts.udp ?? this.o.udp ?? false);
    if (ex.envelope.requestId !== requestId) throw new Error('answer for another request');
    const res = readResponse(ex.envelope, ex.message);
    if (res.expiration <= Math.floor(Date.now() / 1000)) throw new Error('answer already expired');
    return { ...this.decode(res, via), signed };
  }

  private decode(res: Response, via: 'udp' | 'tcp'): Answer {
    const base = { rc: res.rc, opCode: res.opCode, via, body: res.body, response: res };
    if (res.rc === RC.SUCCESS && res.opCode === OP.RESOLUTION) return { ...base, ...readResolution(res.body) };
    if (res.rc === RC.SUCCESS || res.rc === RC.AUTH_NEEDED) return base;
    return { ...base, message: readErrorMessage(res.body) };
  }

  /** Checks the digest the server sent against the request we sent (RD). */
  static digestMatches(a: Answer & { signed: Buffer }): boolean {
    const d = a.response.digest;
    const e = a.response.envelope;
    return d !== undefined && d.equals(expectedDigest(e.major, e.minor, a.signed));
  }

  resolve(handle: string, f: { indexes?: readonly number[]; types?: readonly string[]; udp?: boolean } = {}) {
    return this.send(
      OP.RESOLUTION,
      bodyResolution(handle, f.indexes ?? [], f.types ?? []),
      f.udp === undefined ? {} : { udp: f.udp },
    );
  }

  siteInfo() {
    return this.send(OP.SITE_INFO, bodyHandle('/'));
  }

  /** An administration request, answering the server's challenge with the secret key (over TCP). */
  async admin(op: number, body: Buffer, key: SecretKey): Promise<Answer> {
    const first = await this.send(op, body, { udp: false });
    if (first.rc !== RC.AUTH_NEEDED) return first;
    if (!HandleClient.digestMatches(first)) throw new Error('challenge digest does not match our request');
    const nonce = readNonce(first.body);
    const e = first.response.envelope;
    const digest = (first.response.digest ?? Buffer.alloc(1)).subarray(1);
    const answer = secretKeyAnswer(key.secret, nonce, digest, e.major, e.minor);
    return this.send(OP.CHALLENGE_ANSWER, bodyAnswer(key.handle, key.index, answer), {
      sessionId: e.sessionId,
      udp: false,
    });
  }

  create(handle: string, values: readonly OutValue[], key: SecretKey) {
    return this.admin(OP.CREATE, bodyValues(handle, values), key);
  }
  add(handle: string, values: readonly OutValue[], key: SecretKey) {
    return this.admin(OP.ADD, bodyValues(handle, values), key);
  }
  modify(handle: string, values: readonly OutValue[], key: SecretKey) {
    return this.admin(OP.MODIFY, bodyValues(handle, values), key);
  }
  remove(handle: string, indexes: readonly number[], key: SecretKey) {
    return this.admin(OP.REMOVE, bodyRemove(handle, indexes), key);
  }
  delete(handle: string, key: SecretKey) {
    return this.admin(OP.DELETE, bodyHandle(handle), key);
  }
}

function readNonce(body: Buffer): Buffer {
  const n = body.readUInt32BE(0);
  return body.subarray(4, 4 + n);
}
