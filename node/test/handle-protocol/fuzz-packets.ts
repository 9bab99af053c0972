import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import fc from 'fast-check';

/**
 * Hostile Handle-protocol packets for the fuzzers (the bounded run in fuzz.test.ts and the long
 * `npm run fuzz`): envelopes with true and lying lengths, every opcode the server knows and
 * others, random flags and bodies, plain noise.
 */

const OPCODES = [0, 1, 2, 100, 101, 102, 103, 104, 105, 200, 201, 400, 2001, 0xffffffff];

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const str = (s: Buffer) => Buffer.concat([u32(s.length), s]);

/** A body that starts like a real one (a handle, counts) and goes wrong somewhere. */
const body = fc.oneof(
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  fc
    .tuple(
      fc.constantFrom('88.100.5/F', '0.NA/88.100.5', '88.100.5', '0', '', '99/x'),
      fc.uint8Array({ maxLength: 40 }),
    )
    .map(([h, rest]) => Buffer.concat([str(Buffer.from(h)), Buffer.from(rest)])),
  fc
    .tuple(
      fc.constantFrom('88.100.5/F', '88.100.5/NEW'),
      fc.integer({ min: -2, max: 3 }),
      fc.uint8Array({ maxLength: 60 }),
    )
    .map(([h, n, rest]) => Buffer.concat([str(Buffer.from(h)), u32(n), Buffer.from(rest)])),
);

export const messageOf = (lies: boolean) =>
  fc
    .record({
      version: fc.constantFrom([2, 11], [2, 10], [2, 1], [1, 0], [5, 0], [255, 255]),
      envFlags: fc.integer({ min: 0, max: 255 }),
      session: fc.constantFrom(0, 1, 12345, 0xffffffff),
      op: fc.constantFrom(...OPCODES),
      rc: fc.constantFrom(0, 0, 0, 1, 402),
      flags: fc.integer({ min: 0, max: 0xffffffff }),
      body: body,
      lie: lies ? fc.constantFrom(0, 0, 0, 1, -1, 7, -24, 1_000_000) : fc.constant(0),
      bodyLie: fc.constantFrom(0, 0, 0, 1, -1, 1 << 30),
      tail: fc.uint8Array({ maxLength: 8 }),
    })
    .map((m) => {
      const header = Buffer.alloc(24);
      header.writeUInt32BE(m.op >>> 0, 0);
      header.writeUInt32BE(m.rc, 4);
      header.writeUInt32BE(m.flags >>> 0, 8);
      header.writeUInt32BE(Math.floor(Date.now() / 1000) + 600, 16);
      header.writeUInt32BE((m.body.length + m.bodyLie) >>> 0, 20);
      const msg = Buffer.concat([header, m.body, Buffer.from(m.tail)]);
      const env = Buffer.alloc(20);
      env[0] = m.version[0] ?? 2;
      env[1] = m.version[1] ?? 11;
      env[2] = m.envFlags;
      env.writeUInt32BE(m.session >>> 0, 4);
      env.writeUInt32BE(Math.floor(Math.random() * 0xffffffff), 8);
      env.writeUInt32BE((msg.length + m.lie) >>> 0, 16);
      return Buffer.concat([env, msg]);
    });
export const noise = fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b));
export const packet = fc.oneof({ weight: 9, arbitrary: messageOf(true) }, { weight: 1, arbitrary: noise });
/** TCP: a lying length ends the stream, so most connections carry well-framed messages with hostile content. */
export const framed = messageOf(false);

export async function udpBlast(port: number, packets: readonly Buffer[]): Promise<void> {
  const s = createSocket('udp4');
  s.on('message', () => undefined);
  await new Promise<void>((r) => s.bind(0, () => r()));
  // In batches of 32 (what libuv reads per poll), letting the server drain: a full socket buffer only drops packets.
  for (let i = 0; i < packets.length; i += 32) {
    await Promise.all(
      packets.slice(i, i + 32).map((p) => new Promise<void>((r) => s.send(p, port, '127.0.0.1', () => r()))),
    );
    await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 200));
  s.close();
}

/** Packets written back to back, `per` on each connection (a connection the server closes ends its share). */
export async function tcpBlast(port: number, packets: readonly Buffer[], per: number): Promise<void> {
  const chunks = [];
  for (let i = 0; i < packets.length; i += per) chunks.push(Buffer.concat(packets.slice(i, i + per)));
  // A few connections at a time.
  for (let i = 0; i < chunks.length; i += 8) {
    await Promise.all(
      chunks.slice(i, i + 8).map(
        (chunk) =>
          new Promise<void>((resolve) => {
            const s = connect({ port, host: '127.0.0.1' });
            s.on('data', () => undefined);
            s.on('error', () => resolve());
            s.on('close', () => resolve());
            s.on('connect', () => s.end(chunk));
            setTimeout(() => s.destroy(), 20_000);
          }),
      ),
    );
  }
}
