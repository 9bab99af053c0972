import { credentials, Server, ServerCredentials, type ServerDuplexStream } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PeerClient } from '../../src/federation/peer-client.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { Outcome } from '../../src/resolve/outcome.ts';
import { resolutionService } from '../../../proto/load.ts';
import type { ResolveRequestBatch__Output } from '../../../proto/generated/idnode/v1/ResolveRequestBatch.generated.ts';
import type { ResolveResponseBatch } from '../../../proto/generated/idnode/v1/ResolveResponseBatch.generated.ts';

/*
 * Deadlines of requests multiplexed on the stream (one timer for all of them, peer-client.ts): a
 * peer that never answers some requests. Those time out with IDN_ERR_TIMEOUT, each no earlier
 * than its own timeout, also when sent after others already timed out; answered ones do not.
 * A real gRPC server on 127.0.0.1 (plaintext: TLS is not what this is about).
 */

// Long enough that an answered request never times out on a loaded machine.
const TIMEOUT_MS = 2_000;
let server: Server;
let port: number;

beforeAll(async () => {
  server = new Server();
  server.addService(resolutionService, {
    Resolve: () => undefined,
    ResolveStream: () => undefined,
    // Answers "not found" for suffixes starting with A, never for the others.
    ResolveBatchStream: (call: ServerDuplexStream<ResolveRequestBatch__Output, ResolveResponseBatch>) => {
      call.on('data', (b: ResolveRequestBatch__Output) => {
        const answered = b.requests.filter((r) => r.identifier.split('/')[1]!.startsWith('A'));
        if (answered.length === 0) return;
        call.write({
          responses: answered.map((r) => ({
            requestId: r.requestId,
            status: 'RESOLVE_STATUS_NOT_FOUND',
            authoritative: true,
          })),
        });
      });
      call.on('error', () => undefined);
    },
  });
  port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
});

afterAll(() => {
  server.forceShutdown();
});

const timedOut = (o: Outcome): boolean => o.kind === 'error' && o.error.code === 'IDN_ERR_TIMEOUT';

describe('peer client deadlines on the stream', () => {
  it('times out the unanswered requests, each after its own timeout, and no answered one', async () => {
    const client = new PeerClient({
      address: `127.0.0.1:${port}`,
      credentials: credentials.createInsecure(),
      selfId: 'asker',
      timeoutMs: TIMEOUT_MS,
    });
    const ask = async (suffix: string): Promise<{ o: Outcome; ms: number }> => {
      const t0 = performance.now();
      const o = await client.resolve({ id: parseIdentifier(`88.1/${suffix}`, 'text'), authoritative: false });
      return { o, ms: performance.now() - t0 };
    };
    try {
      const first = await Promise.all(['A-1', 'S-1', 'S-2', 'A-2'].map(ask));
      // A later one, sent while the first silent ones are pending: the sweep re-arms for it.
      const later = new Promise((r) => setTimeout(r, TIMEOUT_MS / 2)).then(() => Promise.all(['S-3', 'A-3'].map(ask)));
      const second = await later;
      const all = [...first, ...second];
      expect(all.map((r) => (timedOut(r.o) ? 'timeout' : r.o.kind))).toEqual([
        'not-found',
        'timeout',
        'timeout',
        'not-found',
        'timeout',
        'not-found',
      ]);
      for (const r of all.filter((x) => timedOut(x.o))) expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 1);
      expect(client.stats.failures).toBe(3);
      expect(client.stats.streamRequests).toBe(6);
    } finally {
      client.close();
    }
  });

  it('fails what is pending when closed', async () => {
    const client = new PeerClient({
      address: `127.0.0.1:${port}`,
      credentials: credentials.createInsecure(),
      selfId: 'asker',
      timeoutMs: 60_000,
    });
    const pending = client.resolve({ id: parseIdentifier('88.1/S-9', 'text'), authoritative: false });
    await new Promise((r) => setTimeout(r, 100));
    client.close();
    const o = await pending;
    expect(o.kind === 'error' && o.error.code).toBe('IDN_ERR_UNAVAILABLE');
  });
});
