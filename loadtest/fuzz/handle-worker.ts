import { parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { framed, packet, tcpBlast, udpBlast } from '../../node/test/handle-protocol/fuzz-packets.ts';

/**
 * Raw bytes at the node's native Handle port while the HTTP fuzz runs: rounds of hostile UDP
 * datagrams and TCP streams (well-framed hostile messages, and a few lying lengths, 20 to a
 * connection) from the generators of the bounded test, until told to stop. Posts packet counts.
 */

const { port, seed } = workerData as { port: number; seed: number };
let stop = false;
parentPort?.once('message', () => void (stop = true));
const counts = { udp: 0, tcp: 0 };
for (let round = 0; !stop; round++) {
  const udp = fc.sample(packet, { numRuns: 1000, seed: seed + 3 * round });
  await udpBlast(port, udp);
  const good = fc.sample(framed, { numRuns: 1000, seed: seed + 3 * round + 1 });
  const hostile = fc.sample(packet, { numRuns: 40, seed: seed + 3 * round + 2 });
  await tcpBlast(port, good, 500);
  await tcpBlast(port, hostile, 20);
  counts.udp += udp.length;
  counts.tcp += good.length + hostile.length;
  parentPort?.postMessage(counts);
  // The HTTP fuzz is the main course: leave it the CPU.
  await new Promise((r) => setTimeout(r, 1_000));
}
