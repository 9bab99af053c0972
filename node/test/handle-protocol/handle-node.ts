import { startHandleServer, type HandleServer } from '../../src/handle-protocol/handle-server.ts';
import type { ChallengeVerifier } from '../../src/handle-protocol/admin-op.ts';
import { secretKeyVerifier } from '../../src/handle-protocol/secret-key-verifier.ts';
import { HandleMetrics } from '../../src/handle-protocol/metrics.ts';
import { encodeSiteInfo } from '../../src/handle-protocol/site-info.ts';
import { HandleClient, type HandleClientOptions } from '../../src/cli/handle-client/client.ts';
import { startTestNode, type TestNode, type TestNodeOptions } from '../helpers/test-node.ts';

/** A real node (LMDB, HTTP) with the Handle protocol on an ephemeral TCP+UDP port of 127.0.0.1. */
export interface HandleTestNode extends TestNode {
  readonly handle: HandleServer;
  client(o?: Partial<HandleClientOptions>): HandleClient;
}

export interface HandleNodeOptions extends TestNodeOptions {
  readonly udpMaxResponsePackets?: number;
  readonly verifier?: ChallengeVerifier;
}

export async function startHandleNode(
  prefixes: readonly string[] = ['88.100.5'],
  opts: HandleNodeOptions = {},
): Promise<HandleTestNode> {
  const node = await startTestNode(prefixes, opts);
  const handle = await startHandleServer({
    host: '127.0.0.1',
    port: 0,
    resolution: node.ctx.resolution,
    records: node.ctx.records,
    siteFor: () => encodeSiteInfo({ host: '127.0.0.1', port: 2641, serial: 1, description: 'test' }),
    siteSerial: 1,
    metrics: new HandleMetrics(node.ctx.metrics.registry),
    verifier: opts.verifier ?? secretKeyVerifier(node.ctx.store, node.ctx.keyring, node.ctx.authenticator.limiter),
    ...(opts.udpMaxResponsePackets ? { udp: { maxResponsePackets: opts.udpMaxResponsePackets } } : {}),
  });
  return {
    ...node,
    handle,
    client: (o = {}) => new HandleClient({ host: '127.0.0.1', port: handle.port, udpWaitsMs: [300, 300], ...o }),
    async close() {
      await handle.close();
      await node.close();
    },
  };
}
