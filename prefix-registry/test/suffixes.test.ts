import { afterEach, beforeEach, expect, test } from 'vitest';
import { SerialAllocator, SuffixRegistry, serialSuffixes, type ItemResult, type SuffixItem } from '../src/index.ts';
import { homePrefix, tempStore, type TempStore } from './helpers.ts';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
  await homePrefix(t.store, '88.100.5');
});
afterEach(() => t.dispose());

const url = (s: string) => [{ index: 1, type: 'URL', data: { format: 'string', value: `https://dpp.example/${s}` } }];

/** Every 1000th item has a bad suffix (a space); the rest are fine. Generated lazily. */
async function* items(n: number): AsyncGenerator<SuffixItem> {
  for (let i = 0; i < n; i++) {
    // A real source (a file, a socket) awaits between items; so does this one, now and then.
    if (i % 10_000 === 0) await Promise.resolve();
    const suffix = i % 1000 === 999 ? `BAD ${i}` : `BAT-${String(i).padStart(6, '0')}`;
    yield { suffix, values: url(suffix) };
  }
}

test(
  'a 100,000-item batch streams through with bounded memory and per-item results',
  { timeout: 240_000 },
  async () => {
    const reg = new SuffixRegistry(t.store);
    // Pre-existing and deleted suffixes fail on their own, without failing the batch.
    await reg.register(
      '88.100.5',
      { suffix: 'BAT-000010', values: url('other') },
      { actor: 't', idempotencyKey: 'pre-1' },
    );
    await reg.register('88.100.5', { suffix: 'BAT-000020', values: url('x') }, { actor: 't', idempotencyKey: 'pre-2' });
    await t.store.delete('88.100.5/bat-000020', undefined, { actor: 't' });

    global.gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const counts = new Map<string, number>();
    let next = 0;
    for await (const r of reg.registerBatch('88.100.5', items(100_000), { actor: 't', idempotencyKey: 'batch-1' })) {
      expect(r.position).toBe(next++);
      const k = r.ok ? 'ok' : r.code;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (next % 5000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed - base);
    }
    expect(next).toBe(100_000);
    expect(Object.fromEntries(counts)).toEqual({
      ok: 99_898,
      IDN_ERR_WHITESPACE: 100,
      IDN_ERR_ALREADY_EXISTS: 1,
      IDN_ERR_GONE: 1,
    });
    // The window holds 256 items; 100,000 results held at once would be far above this.
    expect(peak).toBeLessThan(96 * 1024 ** 2);
    expect((await t.store.get('88.100.5/bat-099998'))?.values[0]?.data.value).toBe('https://dpp.example/BAT-099998');
  },
);

test('replaying a batch with its key reports the stored results; a changed item conflicts', async () => {
  const reg = new SuffixRegistry(t.store);
  const run = async (n: number, key: string, change?: number): Promise<ItemResult[]> => {
    const out: ItemResult[] = [];
    const src = Array.from({ length: n }, (_, i) => ({
      suffix: `S-${i}`,
      values: url(i === change ? 'changed' : `S-${i}`),
    }));
    for await (const r of reg.registerBatch('88.100.5', src, { actor: 't', idempotencyKey: key, concurrency: 8 }))
      out.push(r);
    return out;
  };
  const first = await run(50, 'b');
  const replay = await run(50, 'b');
  expect(replay.every((r) => r.ok && r.replayed)).toBe(true);
  expect(replay.map((r) => r.ok && r.version)).toEqual(first.map((r) => r.ok && r.version));
  const changed = await run(50, 'b', 7);
  expect(changed[7]).toMatchObject({ ok: false, code: 'IDN_ERR_IDEMPOTENCY_CONFLICT' });
  expect(changed.filter((r) => r.ok)).toHaveLength(49);
  // A new key for an existing suffix is a plain "already exists", per item.
  expect((await run(1, 'c'))[0]).toMatchObject({ ok: false, code: 'IDN_ERR_ALREADY_EXISTS' });
});

test('a batch on a prefix that does not exist fails up front', async () => {
  const reg = new SuffixRegistry(t.store);
  const it = reg.registerBatch('88.100.9', items(3), { actor: 't', idempotencyKey: 'x' });
  await expect(it.next()).rejects.toMatchObject({ code: 'IDN_ERR_PREFIX_NOT_FOUND' });
});

test('concurrent serial allocations never overlap and never reuse a number', async () => {
  const serials = new SerialAllocator(t.store);
  const ranges = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      serials.allocateSerials('88.100.5', 25, { idempotencyKey: `k${i}`, pattern: 'SN-{n:9}' }),
    ),
  );
  const seen = new Set<string>();
  for (const r of ranges) for (const s of serialSuffixes(r)) seen.add(s);
  expect(seen.size).toBe(1000);
  expect(seen.has('SN-000000001') && seen.has('SN-000001000')).toBe(true);
  const store = await t.reopen();
  const after = await new SerialAllocator(store).allocateSerials('88.100.5', 1, {
    idempotencyKey: 'later',
    pattern: 'SN-{n:9}',
  });
  expect(after.first).toBe(1001);
  await expect(
    new SerialAllocator(store).allocateSerials('88.100.5', 1, { idempotencyKey: 'p', pattern: 'SN-{n} {n}' }),
  ).rejects.toMatchObject({
    code: 'IDN_ERR_BAD_REQUEST',
  });
});

test('a retry after a timeout gets the same serial range; the same key with another body conflicts', async () => {
  const serials = new SerialAllocator(t.store);
  // The first call succeeds but its answer is "lost" (the client timed out), so it retries.
  void (await serials.allocateSerials('88.100.5', 100, { idempotencyKey: 'order-42', pattern: 'SN-{n:9}' }));
  const retry = await serials.allocateSerials('88.100.5', 100, { idempotencyKey: 'order-42', pattern: 'SN-{n:9}' });
  expect(retry).toMatchObject({ first: 1, last: 100, replayed: true });
  const other = await serials.allocateSerials('88.100.5', 100, { idempotencyKey: 'order-43', pattern: 'SN-{n:9}' });
  expect(other).toMatchObject({ first: 101, last: 200, replayed: false });
  await expect(
    serials.allocateSerials('88.100.5', 5, { idempotencyKey: 'order-42', pattern: 'SN-{n:9}' }),
  ).rejects.toMatchObject({
    code: 'IDN_ERR_IDEMPOTENCY_CONFLICT',
  });
});
