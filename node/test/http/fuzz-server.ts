import { parentPort } from 'node:worker_threads';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { startTestNode } from '../helpers/test-node.ts';

/**
 * The fuzz target in its own thread, so that generating and sending requests and serving them
 * use both cores. Posts {url, secretHash} when listening; closes the node on 'close'.
 */
const node = await startTestNode();
const admin = await node.ctx.store.get(parseIdentifier('88.100.5/ADMIN').key);
const seckey = admin?.values.find((v) => v.type === 'HS_SECKEY')?.data.value as
  { hash?: string; ct?: string } | undefined;
// The stored secret's tell-tale: its ciphertext (sealed, ADR 0002) or its hash (legacy scrypt).
parentPort?.postMessage({ url: node.url, secretHash: seckey?.ct ?? seckey?.hash ?? '' });
parentPort?.on('message', (m) => {
  if (m !== 'close') return;
  void node.close().then(() => parentPort?.close());
});
