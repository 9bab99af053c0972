import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { readEnvelope, type Envelope } from './wire.ts';

/** One message in reply: its envelope and the MessageLength bytes after it (reassembled over UDP). */
export interface Exchanged {
  readonly envelope: Envelope;
  readonly message: Buffer;
}

const CHUNK = 492;

/**
 * One request over TCP: write it, read one envelope + message with our RequestId (a message with
 * another id is an error, as for CNRI clients), close.
 */
export function tcpExchange(
  host: string,
  port: number,
  out: Buffer,
  timeoutMs: number,
  localAddress?: string,
): Promise<Exchanged> {
  const requestId = out.readUInt32BE(8);
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, ...(localAddress === undefined ? {} : { localAddress }) });
    let got = Buffer.alloc(0);
    const fail = (e: Error) => (s.destroy(), reject(e));
    s.setTimeout(timeoutMs, () => fail(new Error(`no TCP answer from ${host}:${port} in ${timeoutMs} ms`)));
    s.on('error', fail);
    s.on('connect', () => s.write(out));
    s.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (got.length < 20) return;
      const env = readEnvelope(got);
      if (env.requestId !== requestId)
        return fail(new Error(`TCP answer for request ${env.requestId}, not ${requestId}`));
      if (got.length < 20 + env.length) return;
      s.end();
      resolve({ envelope: env, message: got.subarray(20, 20 + env.length) });
    });
  });
}

export interface UdpOptions {
  /** Waits before each resend; CNRI: 500, 1000, 1500 ms. */
  readonly waitsMs: readonly number[];
}

/**
 * One request over UDP (a single datagram: our requests are small), resent after each wait;
 * datagrams with other RequestIds are ignored; a multi-packet answer (TC) is put together by
 * SequenceNumber at 492-byte offsets. Rejects when no whole answer came in time.
 */
export function udpExchange(host: string, port: number, out: Buffer, o: UdpOptions): Promise<Exchanged> {
  if (out.length > 512) return Promise.reject(new Error('request too long for one datagram'));
  const requestId = out.readUInt32BE(8);
  return new Promise((resolve, reject) => {
    const s = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const parts = new Map<number, Buffer>();
    let timer: NodeJS.Timeout | undefined;
    let attempt = 0;
    const finish = (err?: Error, ex?: Exchanged) => {
      clearTimeout(timer);
      s.close();
      if (err) reject(err);
      else if (ex) resolve(ex);
    };
    const sendNext = () => {
      const wait = o.waitsMs[attempt++];
      if (wait === undefined) return finish(new Error(`no whole UDP answer from ${host}:${port}`));
      s.send(out, port, host);
      timer = setTimeout(sendNext, wait);
    };
    s.on('error', (e) => finish(e));
    s.on('message', (d: Buffer) => {
      if (d.length < 20) return;
      const env = readEnvelope(d);
      if (env.requestId !== requestId) return;
      if (!env.truncated) return finish(undefined, { envelope: env, message: d.subarray(20, 20 + env.length) });
      parts.set(env.sequence, d.subarray(20));
      const count = Math.ceil(env.length / CHUNK);
      if (parts.size < count) return;
      const message = Buffer.alloc(env.length);
      for (const [i, p] of parts) p.copy(message, i * CHUNK);
      finish(undefined, { envelope: env, message });
    });
    s.bind(0, () => sendNext());
  });
}
