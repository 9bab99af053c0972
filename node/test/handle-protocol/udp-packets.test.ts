import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bodyResolution,
  headerAndBody,
  readEnvelope,
  readResolution,
  readResponse,
  request,
} from '../../src/cli/handle-client/wire.ts';
import { putRecord } from '../helpers/test-node.ts';
import { startHandleNode, type HandleTestNode } from './handle-node.ts';

let node: HandleTestNode;
let small: HandleTestNode;
const H = '88.100.5/BIG-1';
// 12 values of ~120 bytes: a response of about 2 KB, five datagrams.
const values = Array.from({ length: 12 }, (_, i) => ({ index: i + 1, type: 'DESC', data: `${'x'.repeat(100)}-${i}` }));

beforeAll(async () => {
  node = await startHandleNode(['88.100.5']);
  // A server that sends at most 2 datagrams per response: the big answer goes over TCP only.
  small = await startHandleNode(['88.100.5'], { udpMaxResponsePackets: 2 });
  for (const n of [node, small]) expect((await putRecord(n.url, H, values, n.adminAuth('88.100.5'))).status).toBe(201);
});
afterAll(async () => {
  await node.close();
  await small.close();
});

/** Every datagram of one UDP answer, raw, until `quietMs` passes without one. */
function datagrams(port: number, out: Buffer, quietMs = 400): Promise<Buffer[]> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const got: Buffer[] = [];
    let t: NodeJS.Timeout;
    const done = () => (s.close(), resolve(got));
    s.on('message', (d) => {
      got.push(d);
      clearTimeout(t);
      t = setTimeout(done, quietMs);
    });
    s.bind(0, () => {
      s.send(out, port, '127.0.0.1');
      t = setTimeout(done, 2000);
    });
  });
}

describe('multi-packet UDP answers', () => {
  it('splits a long answer into 492-byte chunks, each with TC, the total MessageLength and its sequence number', async () => {
    const signed = headerAndBody(1, bodyResolution(H, [], []), { requestId: 4242 });
    const got = await datagrams(node.handle.port, request(signed, { requestId: 4242 }));
    expect(got.length).toBeGreaterThan(2);
    const envs = got.map(readEnvelope);
    const total = envs[0]!.length;
    expect(envs.every((e) => e.truncated && e.requestId === 4242 && e.length === total)).toBe(true);
    expect(envs.map((e) => e.sequence).sort((a, b) => a - b)).toEqual([...got.keys()]);
    expect(got.every((d) => d.length <= 512)).toBe(true);
    const message = Buffer.alloc(total);
    for (const [i, d] of got.entries()) {
      if (envs[i]!.sequence < got.length - 1) expect(d.length).toBe(512);
      d.subarray(20).copy(message, envs[i]!.sequence * 492);
    }
    const res = readResponse(envs[0]!, message);
    expect(res.rc).toBe(1);
    expect(readResolution(res.body).values).toHaveLength(13);
  });

  it('the client puts the chunks together', async () => {
    const a = await node.client({ udp: true }).resolve(H);
    expect([a.rc, a.via, a.values?.length]).toEqual([1, 'udp', 13]);
  });

  it('an answer over the server s UDP packet limit is not sent: the client falls back to TCP', async () => {
    const a = await small.client({ udp: true, udpWaitsMs: [200, 200] }).resolve(H);
    expect([a.rc, a.via, a.values?.length]).toEqual([1, 'tcp', 13]);
    // A short answer still comes over UDP from that server.
    expect((await small.client({ udp: true }).resolve(H, { indexes: [1] })).via).toBe('udp');
  });

  it('reassembles a request sent in several datagrams', async () => {
    // A resolution asking for 90 types pads the request past one datagram.
    const types = Array.from({ length: 90 }, (_, i) => `TYPE_${i}`);
    const signed = headerAndBody(1, bodyResolution(H, [1], types), { requestId: 77 });
    const whole = request(signed, { requestId: 77 });
    const message = whole.subarray(20);
    expect(message.length).toBeGreaterThan(492);
    const s = createSocket('udp4');
    const answer = new Promise<Buffer>((r) => s.on('message', (d) => r(d)));
    await new Promise<void>((r) => s.bind(0, () => r()));
    for (let i = 0; i * 492 < message.length; i++) {
      const env = Buffer.from(whole.subarray(0, 20));
      env[2] = (env[2] ?? 0) | 0x20;
      env.writeUInt32BE(i, 12);
      s.send(Buffer.concat([env, message.subarray(i * 492, (i + 1) * 492)]), node.handle.port, '127.0.0.1');
    }
    const d = await answer;
    s.close();
    const env = readEnvelope(d);
    const res = readResponse(env, d.subarray(20, 20 + env.length));
    expect(res.rc).toBe(1);
    expect(readResolution(res.body).values.map((v) => v.index)).toEqual([1]);
  });
});
