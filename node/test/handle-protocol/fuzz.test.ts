import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord } from '../helpers/test-node.ts';
import { framed, packet, tcpBlast, udpBlast } from './fuzz-packets.ts';
import { startHandleNode, type HandleTestNode } from './handle-node.ts';

/*
 * Raw bytes at the Handle port, TCP and UDP: envelopes with true and lying lengths, every opcode
 * the server knows and others, random flags and bodies, plain noise. The server must neither
 * crash nor hang (it answers a good request afterwards) and keep its memory bounded.
 * HANDLE_FUZZ_PACKETS raises the count (default 100,000: half UDP, half TCP).
 */
const PACKETS = Number(process.env.HANDLE_FUZZ_PACKETS ?? 100_000);

let node: HandleTestNode;
beforeAll(async () => {
  node = await startHandleNode(['88.100.5']);
  await putRecord(
    node.url,
    '88.100.5/F',
    [{ index: 1, type: 'URL', data: 'https://e.org' }],
    node.adminAuth('88.100.5'),
  );
});
afterAll(() => node.close());

describe('fuzzing the Handle port with raw bytes', () => {
  it(`survives ${PACKETS} hostile packets over UDP and TCP, bounded, and still answers`, async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const udp = fc.sample(packet, Math.ceil(PACKETS / 2));
    await udpBlast(node.handle.port, udp);
    const hostile = Math.ceil(PACKETS / 50);
    const tcp = [...fc.sample(framed, Math.floor(PACKETS / 2) - hostile), ...fc.sample(packet, hostile)];
    await tcpBlast(node.handle.port, tcp.slice(0, -hostile), 2_000);
    await tcpBlast(node.handle.port, tcp.slice(-hostile), 20);
    const answered =
      (await node.ctx.metrics.registry.getSingleMetric('idnode_handle_requests_total')?.get())?.values ?? [];
    // Most of them got as far as an answer (RC 4 for the malformed ones), not just a drop.
    const dropped =
      (await node.ctx.metrics.registry.getSingleMetric('idnode_handle_dropped_total')?.get())?.values ?? [];
    const seen = (t: string) =>
      [...answered, ...dropped].filter((v) => v.labels.transport === t).reduce((n, v) => n + v.value, 0);
    // The server judged nearly every packet (an answer, RC 4 for malformed ones, or a counted drop).
    expect(seen('udp')).toBeGreaterThan(0.8 * udp.length);
    expect(seen('tcp')).toBeGreaterThan(0.8 * tcp.length - hostile);
    expect(udp.length + tcp.length).toBeGreaterThanOrEqual(PACKETS);
    // No hang: a good request over each transport is answered.
    expect((await node.client({ udp: true }).resolve('88.100.5/F')).via).toBe('udp');
    expect((await node.client().resolve('88.100.5/F')).rc).toBe(1);
    global.gc?.();
    // Bounded: the packets themselves are garbage now; what the server keeps (challenges, reassembly) is capped.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
  }, 120_000);
});
