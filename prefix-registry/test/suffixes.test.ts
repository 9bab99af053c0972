import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, expect, test } from 'vitest';
import {
  SerialAllocator,
  SuffixRegistry,
  lineHash,
  serialSuffixes,
  type BatchLine,
  type ItemResult,
  type SuffixBatch,
  type SuffixItem,
} from '../src/index.ts';
import { homePrefix, prefixAdmin, tempStore, type TempStore } from './helpers.ts';

// A full collection before each heap sample, so the samples show what is retained, not garbage.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

let t: TempStore;
beforeEach(async () => {
  t = await tempStore(['88.100.5']);
  await homePrefix(t.store, '88.100.5');
});
afterEach(() => t.dispose());

const url = (s: string) => [{ index: 1, type: 'URL', data: { format: 'string', value: `https://dpp.example/${s}` } }];
const admin = prefixAdmin('88.100.5');

/** Every 1000th item has a bad suffix (a space); the rest are fine. Generated lazily. */
function* items(n: number): Generator<SuffixItem> {
  for (let i = 0; i < n; i++) {
    const suffix = i % 1000 === 999 ? `BAD ${i}` : `BAT-${String(i).padStart(6, '0')}`;
    yield { suffix, values: url(suffix) };
  }
}

/** Sends items in chunks of `size` lines, as the batch route does: one commit per chunk. */
async function* registerAll(batch: SuffixBatch, src: Iterable<SuffixItem>, size = 2000): AsyncGenerator<ItemResult> {
  let chunk: BatchLine[] = [];
  let position = 0;
  const send = () => batch.register(chunk, (b) => t.records.applyEach(b, admin));
  for (const item of src) {
    chunk.push({ position: position++, item, hash: lineHash(JSON.stringify(item)) });
    if (chunk.length === size) {
      yield* await send();
      chunk = [];
    }
  }
  if (chunk.length > 0) yield* await send();
}

const registry = () => new SuffixRegistry(t.records.store);

test(
  'a 100,000-item batch: one commit per chunk, per-item results, default HS_ADMIN, results keyed once per chunk',
  { timeout: 240_000 },
  async () => {
    // A pre-existing suffix fails on its own, without failing the batch; a deleted one is created
    // again (Handle semantics: no never-reuse policy on this prefix).
    const pre = await registry().openBatch('88.100.5');
    for await (const r of registerAll(pre, [{ suffix: 'BAT-000010', values: url('other') }])) expect(r.ok).toBe(true);
    for await (const r of registerAll(pre, [{ suffix: 'BAT-000020', values: url('x') }])) expect(r.ok).toBe(true);
    await t.store.delete('88.100.5/bat-000020', undefined, { actor: 't' });
    const seqBefore = await t.store.lastSeq();

    gc();
    const base = process.memoryUsage().heapUsed;
    let peak = 0;
    const counts = new Map<string, number>();
    let next = 0;
    const batch = await registry().openBatch('88.100.5', { idempotencyKey: 'batch-1' });
    for await (const r of registerAll(batch, items(100_000))) {
      expect(r.position).toBe(next++);
      const k = r.ok ? 'ok' : r.code;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      if (next % 10_000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed - base);
      }
    }
    expect(next).toBe(100_000);
    expect(Object.fromEntries(counts)).toEqual({
      ok: 99_899,
      IDN_ERR_WHITESPACE: 100,
      IDN_ERR_ALREADY_EXISTS: 1,
    });
    // What stays reachable is a chunk or two, never the batch: 100,000 results held would be far above this.
    console.log(`retained heap peak: ${(peak / 1024 ** 2).toFixed(1)} MiB`);
    expect(peak).toBeLessThan(12 * 1024 ** 2);
    const stored = await t.store.get('88.100.5/bat-099998');
    expect(stored?.values.map((v) => v.type)).toEqual(['URL', 'HS_ADMIN']);
    expect(stored?.values[1]?.data.value).toMatchObject({ handle: '88.100.5/ADMIN', index: 300 });
    // One change-log entry per identifier, plus one result record per chunk (50), not one per line.
    expect((await t.store.lastSeq()) - seqBefore).toBe(99_899 + 50);
  },
);

test('refuses what PUT refuses, line by line: bad URLs, cleartext secrets are sealed', async () => {
  const batch = await registry().openBatch('88.100.5');
  const src: SuffixItem[] = [
    { suffix: 'XSS', values: [{ index: 1, type: 'URL', data: { format: 'string', value: 'javascript:alert(1)' } }] },
    { suffix: 'OK-1', values: url('ok-1') },
    {
      suffix: 'SEC',
      values: [{ index: 300, type: 'HS_SECKEY', data: { format: 'string', value: 'a-secret-of-20-chars' } }],
    },
  ];
  const out: ItemResult[] = [];
  for await (const r of registerAll(batch, src)) out.push(r);
  expect(out.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['IDN_ERR_INVALID_VALUE', 'ok', 'ok']);
  expect(await t.store.get('88.100.5/xss')).toBeUndefined();
  const secret = (await t.store.get('88.100.5/sec'))?.values.find((v) => v.type === 'HS_SECKEY');
  expect(secret?.data.format).toBe('sealed');
  expect(JSON.stringify(secret)).not.toContain('a-secret-of-20-chars');
});

test('replaying a batch with its key reports the stored results; a changed item conflicts', async () => {
  const run = async (n: number, key: string, change?: number): Promise<ItemResult[]> => {
    const out: ItemResult[] = [];
    const src = Array.from({ length: n }, (_, i) => ({
      suffix: `S-${i}`,
      values: url(i === change ? 'changed' : `S-${i}`),
    }));
    const batch = await registry().openBatch('88.100.5', { idempotencyKey: key });
    for await (const r of registerAll(batch, src, 8)) out.push(r);
    return out;
  };
  const first = await run(50, 'b');
  const seq = await t.store.lastSeq();
  const replay = await run(50, 'b');
  expect(replay.every((r) => r.ok && r.replayed)).toBe(true);
  expect(replay.map((r) => r.ok && r.version)).toEqual(first.map((r) => r.ok && r.version));
  expect(await t.store.lastSeq()).toBe(seq);
  const changed = await run(50, 'b', 7);
  expect(changed[7]).toMatchObject({ ok: false, code: 'IDN_ERR_IDEMPOTENCY_CONFLICT' });
  expect(changed.filter((r) => r.ok)).toHaveLength(49);
  // A new key for an existing suffix is a plain "already exists", per item.
  expect((await run(1, 'c'))[0]).toMatchObject({ ok: false, code: 'IDN_ERR_ALREADY_EXISTS' });
});

test('a line with its own key replays by that key, whatever batch it comes in', async () => {
  const line = (key: string): SuffixItem => ({ suffix: 'OWN-1', values: url('own'), idempotencyKey: key });
  const send = async (item: SuffixItem, batchKey?: string) => {
    const batch = await registry().openBatch('88.100.5', batchKey === undefined ? {} : { idempotencyKey: batchKey });
    const out: ItemResult[] = [];
    for await (const r of registerAll(batch, [{ suffix: 'OTHER', values: url('o') }, item])) out.push(r);
    return out[1]!;
  };
  expect(await send(line('k1'))).toMatchObject({ ok: true, replayed: false, version: 1 });
  expect(await send(line('k1'), 'another-batch')).toMatchObject({ ok: true, replayed: true, version: 1 });
  expect(await send({ ...line('k1'), values: url('changed') })).toMatchObject({ code: 'IDN_ERR_IDEMPOTENCY_CONFLICT' });
});

test('a batch on a prefix that does not exist fails up front', async () => {
  await expect(registry().openBatch('88.100.9', { idempotencyKey: 'x' })).rejects.toMatchObject({
    code: 'IDN_ERR_PREFIX_NOT_FOUND',
  });
});

const serialsAs = () => t.applyAs('300:88.100.5/ADMIN');

test('concurrent serial allocations never overlap and never reuse a number', async () => {
  const serials = new SerialAllocator(t.records.store);
  const ranges = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      serials.allocateSerials('88.100.5', 25, { idempotencyKey: `k${i}`, pattern: 'SN-{n:9}' }, serialsAs()),
    ),
  );
  const seen = new Set<string>();
  for (const r of ranges) for (const s of serialSuffixes(r)) seen.add(s);
  expect(seen.size).toBe(1000);
  expect(seen.has('SN-000000001') && seen.has('SN-000001000')).toBe(true);
  await t.reopen();
  const after = await new SerialAllocator(t.records.store).allocateSerials(
    '88.100.5',
    1,
    { idempotencyKey: 'later', pattern: 'SN-{n:9}' },
    serialsAs(),
  );
  expect(after.first).toBe(1001);
  await expect(
    new SerialAllocator(t.records.store).allocateSerials(
      '88.100.5',
      1,
      { idempotencyKey: 'p', pattern: 'SN-{n} {n}' },
      serialsAs(),
    ),
  ).rejects.toMatchObject({ code: 'IDN_ERR_BAD_REQUEST' });
});

test('a retry gets the same serial range, stored with it in one commit; the same key with another body conflicts', async () => {
  const serials = new SerialAllocator(t.records.store);
  const opts = { idempotencyKey: 'order-42', pattern: 'SN-{n:9}' };
  // The first call succeeds but its answer is "lost" (the client timed out), so it retries.
  const seq = await t.store.lastSeq();
  void (await serials.allocateSerials('88.100.5', 100, opts, serialsAs()));
  // The range and its result are one change-log entry: one commit, no window between them.
  const log = await t.store.changesSince(seq, 10);
  expect(log).toHaveLength(1);
  expect(log[0]?.key).toMatch(/^0\.reg\/idem\/serial\//);
  const retry = await serials.allocateSerials('88.100.5', 100, opts, serialsAs());
  expect(retry).toMatchObject({ first: 1, last: 100, replayed: true });
  const other = await serials.allocateSerials('88.100.5', 100, { ...opts, idempotencyKey: 'order-43' }, serialsAs());
  expect(other).toMatchObject({ first: 101, last: 200, replayed: false });
  await expect(serials.allocateSerials('88.100.5', 5, opts, serialsAs())).rejects.toMatchObject({
    code: 'IDN_ERR_IDEMPOTENCY_CONFLICT',
  });
});
