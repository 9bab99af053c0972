import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { HandleValue } from '../../src/records/types.ts';
import { valuesOf } from '../../../loadtest/lib/import-floor.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';

/*
 * The cache's byte bound is only as good as its per-entry estimate: the process's heap is what
 * the operator sizes. This fills the cache of a real node through the real answer path (LMDB
 * read, finalise, JSON body rendered over real HTTP and memoised with the entry) and compares the
 * estimate with the heap and buffer memory actually retained per entry, after full collections.
 */

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const PREFIX = '88.100.5';
const WARM = 1_000;
const N = 5_000;
const handle = (i: number): string => `${PREFIX}/MEM-${String(i).padStart(8, '0')}`;

function value(index: number, type: string, v: string, now: string): HandleValue {
  return { index, type, data: { format: 'string', value: v }, ttl: 86_400, timestamp: now, access: 'public' };
}

/** The benchmark's record (a URL and the default HS_ADMIN, as bench:import writes it), or a richer one with `extra` more values. */
function values(i: number, now: string, extra: number): HandleValue[] {
  const [url, admin] = valuesOf(i, now);
  const more = Array.from({ length: extra }, (_, k) =>
    value(2 + k, 'DESC', `Batch ${i} item ${k}: a description of some length, as product records carry`, now),
  );
  return [url!, ...more, admin!];
}

function retained(): number {
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  // Bodies are Buffers: outside the JS heap but in the process's anonymous memory all the same.
  return m.heapUsed + m.arrayBuffers;
}

/** One GET; retried once when a kept-alive connection the server closed meanwhile resets (GETs are safe). */
async function get(url: string): Promise<number> {
  const once = async (): Promise<number> => {
    const res = await fetch(url);
    await res.arrayBuffer();
    return res.status;
  };
  return once().catch(once);
}

async function resolveAll(node: TestNode, from: number, to: number, expected = 200): Promise<void> {
  for (let i = from; i < to; i += 50) {
    const batch = [];
    for (let j = i; j < Math.min(to, i + 50); j++) batch.push(get(`${node.url}/api/handles/${handle(j)}`));
    for (const status of await Promise.all(batch)) expect(status).toBe(expected);
  }
}

/** Estimated and measured bytes per entry over the answers of identifiers [from, from + N). */
async function perEntry(
  node: TestNode,
  from: number,
  expected: number,
): Promise<{ estimated: number; measured: number }> {
  const cache = node.ctx.cache!;
  const before = retained();
  const [entries0, bytes0] = [cache.size, cache.bytes];
  await resolveAll(node, from, from + N, expected);
  const measured = (retained() - before) / (cache.size - entries0);
  expect(cache.size - entries0).toBe(N);
  return { estimated: (cache.bytes - bytes0) / N, measured };
}

describe('resolution cache entry size', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode([PREFIX]);
    const now = new Date().toISOString();
    const meta = { actor: 'test', reason: 'entry size' };
    const writes = [];
    for (let i = 0; i < WARM + 2 * N; i++) {
      const id = parseIdentifier(handle(i), 'text');
      const record = { handle: id.handle, values: values(i, now, i < WARM + N ? 0 : 6) };
      writes.push(node.store.put(id.key, record, { expectAbsent: true }, meta));
    }
    await Promise.all(writes);
    // Warm-up: compiled code, pools and lazily built tables are not the entries' cost.
    await resolveAll(node, 0, WARM);
  }, 60_000);
  afterAll(() => node.close());

  it.each([
    ['the benchmark record (2 values)', WARM, 200],
    ['a record of 8 values', WARM + N, 200],
    ['an unregistered identifier ("not found")', WARM + 2 * N, 404],
  ])(
    'estimates the memory an answer for %s holds within 20 %%',
    async (_name, from, status) => {
      const { estimated, measured } = await perEntry(node, from, status);
      process.stderr.write(`cache entry: measured ${Math.round(measured)} B, estimated ${Math.round(estimated)} B\n`);
      expect(estimated / measured).toBeGreaterThan(0.8);
      expect(estimated / measured).toBeLessThan(1.2);
    },
    120_000,
  );
});
