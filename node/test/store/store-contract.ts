import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdnError } from '../../src/errors/idn-error.ts';
import type { ErrorCode } from '../../src/errors/codes.ts';
import { isLive, type HandleValue, type StoredRecord } from '../../src/records/types.ts';
import type { ChangeMeta, RecordInput, Store, StoreOp } from '../../src/store/store.ts';

/**
 * The behavioural contract of `Store`, run against every backend. Only observable behaviour is
 * tested here; backend details (files, connections) belong in each backend's own test file.
 */

export interface ContractHarness {
  readonly store: Store;
  /** Opens a new store on the same data. The suite closes the previous store first. */
  readonly reopen?: () => Promise<Store>;
  readonly cleanup: () => Promise<void>;
}

const META: ChangeMeta = { actor: '300:88.100.5/admin' };
const PREFIX = '88.100.5/';

const value = (index: number, type: string, v: unknown, format = 'string'): HandleValue => ({
  index,
  type,
  data: { format, value: v },
  ttl: 86400,
  timestamp: '2025-01-01T00:00:00.000Z',
  access: 'public',
});

const input = (handle: string, ...values: HandleValue[]): RecordInput => ({ handle, values });
const urlRecord = (key: string, url = 'https://example.com/' + key): RecordInput =>
  input(key.toUpperCase(), value(1, 'URL', url));

const isIso = (s: string): boolean => new Date(s).toISOString() === s;

async function errorOf(p: Promise<unknown>): Promise<IdnError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof IdnError) return e;
    throw e;
  }
  throw new Error('expected the promise to reject with an IdnError');
}

async function expectCode(p: Promise<unknown>, code: ErrorCode, detail?: Record<string, unknown>): Promise<IdnError> {
  const err = await errorOf(p);
  expect(err.code).toBe(code);
  if (detail) expect(err.detail).toMatchObject(detail);
  return err;
}

/** Runs `tasks` with at most `width` in flight; keeps large fixtures fast without one huge batch. */
async function inChunks<T>(items: readonly T[], width: number, task: (item: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += width) {
    await Promise.all(items.slice(i, i + width).map(task));
  }
}

export function runStoreContract(name: string, open: () => Promise<ContractHarness>): void {
  describe(`Store contract: ${name}`, () => {
    let harness: ContractHarness;
    let store: Store;

    beforeEach(async () => {
      harness = await open();
      store = harness.store;
    });

    afterEach(async () => {
      await store.close().catch(() => undefined);
      await harness.cleanup();
    });

    /** Closes the current store and opens a fresh one on the same data; undefined without `reopen`. */
    async function reopen(): Promise<Store | undefined> {
      if (!harness.reopen) return undefined;
      await store.close();
      store = await harness.reopen();
      return store;
    }

    describe('versions and conditional writes', () => {
      it('reads many keys at once in the order asked, undefined for a key never written', async () => {
        const a = await store.put(PREFIX + 'many-a', urlRecord(PREFIX + 'many-a'), undefined, META);
        const b = await store.put(PREFIX + 'many-b', urlRecord(PREFIX + 'many-b'), undefined, META);
        expect(typeof store.getMany).toBe('function');
        const got = await store.getMany!([PREFIX + 'many-b', PREFIX + 'never', PREFIX + 'many-a', PREFIX + 'many-b']);
        expect(got).toEqual([b, undefined, a, b]);
        expect(await store.getMany!([])).toEqual([]);
      });

      it('returns undefined for a key never written', async () => {
        expect(await store.get(PREFIX + 'missing')).toBeUndefined();
      });

      it('creates version 1 with timestamps and keeps the handle and values', async () => {
        const key = PREFIX + 'bat-1';
        const values = [
          value(1, 'URL', 'https://example.com/a'),
          value(2, 'DPP', { battery: { capacityKWh: 75, cells: [1, 2] } }, 'json'),
        ];
        const rec = await store.put(key, input('88.100.5/BAT-1', ...values), undefined, META);
        expect(rec).toMatchObject({ handle: '88.100.5/BAT-1', values, version: 1 });
        expect(rec.deletedAt).toBeUndefined();
        expect(isIso(rec.createdAt)).toBe(true);
        expect(rec.updatedAt).toBe(rec.createdAt);
        expect(await store.get(key)).toEqual(rec);
      });

      it('bumps the version on each write, keeps createdAt and replaces all values at once', async () => {
        const key = PREFIX + 'bat-2';
        const first = await store.put(
          key,
          input(key, value(1, 'URL', 'a'), value(2, 'EMAIL', 'b'), value(3, 'KIND', 'c')),
          undefined,
          META,
        );
        const second = await store.put(key, input(key, value(7, 'URL', 'z')), undefined, META);
        expect(second.version).toBe(2);
        expect(second.createdAt).toBe(first.createdAt);
        expect(second.updatedAt >= first.updatedAt).toBe(true);
        expect((await store.get(key))?.values).toEqual([value(7, 'URL', 'z')]);
      });

      it('expectAbsent creates a new key and refuses an existing one without changing it', async () => {
        const key = PREFIX + 'absent';
        const rec = await store.put(key, urlRecord(key), { expectAbsent: true }, META);
        expect(rec.version).toBe(1);
        await expectCode(store.put(key, urlRecord(key, 'x'), { expectAbsent: true }, META), 'IDN_ERR_ALREADY_EXISTS', {
          version: 1,
          deleted: false,
        });
        expect(await store.get(key)).toEqual(rec);
      });

      it('expectVersion writes on a match and reports expected/actual on a mismatch', async () => {
        const key = PREFIX + 'etag';
        await store.put(key, urlRecord(key), undefined, META);
        const v2 = await store.put(key, urlRecord(key, 'two'), { expectVersion: 1 }, META);
        expect(v2.version).toBe(2);
        await expectCode(
          store.put(key, urlRecord(key, 'stale'), { expectVersion: 1 }, META),
          'IDN_ERR_VERSION_MISMATCH',
          {
            expected: 1,
            actual: 2,
          },
        );
        expect(await store.get(key)).toEqual(v2);
      });

      it('expectVersion on a key never written is a mismatch with actual 0', async () => {
        const key = PREFIX + 'ghost';
        await expectCode(store.put(key, urlRecord(key), { expectVersion: 3 }, META), 'IDN_ERR_VERSION_MISMATCH', {
          expected: 3,
          actual: 0,
        });
        expect(await store.get(key)).toBeUndefined();
      });
    });

    describe('tombstones', () => {
      const key = PREFIX + 'doomed';

      it('delete leaves a tombstone with a bumped version, no values and createdAt kept', async () => {
        const live = await store.put(key, urlRecord(key), undefined, META);
        const dead = await store.delete(key, undefined, META);
        expect(dead).toMatchObject({ handle: live.handle, values: [], version: 2, createdAt: live.createdAt });
        expect(dead.deletedAt).toBeDefined();
        expect(isIso(dead.deletedAt ?? '')).toBe(true);
        const got = await store.get(key);
        expect(got).toEqual(dead);
        expect(isLive(got)).toBe(false);
      });

      it('delete of a missing key is NOT_FOUND, of a tombstone GONE', async () => {
        await expectCode(store.delete(PREFIX + 'never', undefined, META), 'IDN_ERR_NOT_FOUND');
        await store.put(key, urlRecord(key), undefined, META);
        await store.delete(key, undefined, META);
        await expectCode(store.delete(key, undefined, META), 'IDN_ERR_GONE');
        await expectCode(store.delete(key, { expectVersion: 2 }, META), 'IDN_ERR_GONE');
      });

      it('delete honours expectVersion', async () => {
        await store.put(key, urlRecord(key), undefined, META);
        await expectCode(store.delete(key, { expectVersion: 5 }, META), 'IDN_ERR_VERSION_MISMATCH', {
          expected: 5,
          actual: 1,
        });
        expect(isLive(await store.get(key))).toBe(true);
        expect((await store.delete(key, { expectVersion: 1 }, META)).version).toBe(2);
      });

      it('a tombstone blocks expectAbsent and unconditional puts, but a put naming its version creates it anew', async () => {
        const created = await store.put(key, urlRecord(key), undefined, META);
        await store.delete(key, undefined, META);
        await expectCode(store.put(key, urlRecord(key), { expectAbsent: true }, META), 'IDN_ERR_ALREADY_EXISTS', {
          version: 2,
          deleted: true,
        });
        await expectCode(store.put(key, urlRecord(key), undefined, META), 'IDN_ERR_GONE');
        await expectCode(store.put(key, urlRecord(key), { expectVersion: 1 }, META), 'IDN_ERR_VERSION_MISMATCH', {
          expected: 1,
          actual: 2,
        });
        const revived = await store.put(key, urlRecord(key, 'back'), { expectVersion: 2 }, META);
        expect(revived.version).toBe(3);
        expect(revived.deletedAt).toBeUndefined();
        // A new record under the old name (Handle re-creation): created now, its version still counting.
        expect(revived.createdAt).toBe(revived.updatedAt);
        expect(revived.createdAt >= created.createdAt).toBe(true);
        expect(isLive(await store.get(key))).toBe(true);
      });
    });

    describe('concurrency', () => {
      it('50 concurrent read-modify-write increments with retry lose no update', async () => {
        const key = PREFIX + 'counter';
        const countOf = (r: StoredRecord | undefined): number => Number(r?.values[0]?.data.value ?? NaN);
        await store.put(key, input(key, value(1, 'COUNT', 0)), { expectAbsent: true }, META);
        let conflicts = 0;
        const increment = async (): Promise<void> => {
          for (;;) {
            const cur = await store.get(key);
            if (!cur) throw new Error('counter vanished');
            try {
              const next = input(key, value(1, 'COUNT', countOf(cur) + 1));
              await store.put(key, next, { expectVersion: cur.version }, META);
              return;
            } catch (e) {
              if (!(e instanceof IdnError) || e.code !== 'IDN_ERR_VERSION_MISMATCH') throw e;
              conflicts++;
            }
          }
        };
        await Promise.all(Array.from({ length: 50 }, increment));
        const final = await store.get(key);
        expect(countOf(final)).toBe(50);
        expect(final?.version).toBe(51);
        // Without conflicts the writers never raced and the test would prove nothing.
        expect(conflicts).toBeGreaterThan(0);
      });

      it('of many writers expecting the same version exactly one wins', async () => {
        const key = PREFIX + 'race';
        await store.put(key, urlRecord(key), undefined, META);
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.put(key, urlRecord(key, `w${i}`), { expectVersion: 1 }, META)),
        );
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        expect(won).toHaveLength(1);
        for (const r of lost) expect((r.reason as IdnError).code).toBe('IDN_ERR_VERSION_MISMATCH');
        expect((await store.get(key))?.version).toBe(2);
      });

      it('of many concurrent expectAbsent creators exactly one wins', async () => {
        const key = PREFIX + 'first-come';
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.put(key, urlRecord(key, `c${i}`), { expectAbsent: true }, META)),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        expect((await store.get(key))?.version).toBe(1);
      });
    });

    describe('list', () => {
      const keyOf = (i: number): string => `${PREFIX}item-${String(i).padStart(5, '0')}`;

      async function listAll(prefix: string, limit: number): Promise<{ keys: string[]; pages: number }> {
        const keys: string[] = [];
        let after: string | undefined;
        let pages = 0;
        for (;;) {
          const page = await store.list(prefix, after === undefined ? { limit } : { after, limit });
          pages++;
          expect(page.keys.length).toBeLessThanOrEqual(limit);
          keys.push(...page.keys);
          if (page.next === undefined) return { keys, pages };
          expect(page.next).toBe(page.keys.at(-1));
          after = page.next;
          if (pages > 10_000) throw new Error('list does not terminate');
        }
      }

      it('pages 2,500 keys in key order, skipping tombstones and neighbouring prefixes', async () => {
        const all = Array.from({ length: 2500 }, (_, i) => keyOf(i));
        const shuffled = [...all].sort(() => Math.random() - 0.5);
        await inChunks(shuffled, 250, (k) => store.put(k, urlRecord(k), undefined, META));
        const neighbours = ['88.100.5.2/item-00001', '88.100.5.2/x', '88.100.50/item-1', '88.100.4/z', '88.100.5'];
        await inChunks(neighbours, 10, (k) => store.put(k, urlRecord(k), undefined, META));
        const deleted = new Set(all.filter((_, i) => i % 50 === 7));
        await inChunks([...deleted], 50, (k) => store.delete(k, undefined, META));

        const { keys, pages } = await listAll(PREFIX, 100);
        const expected = all.filter((k) => !deleted.has(k));
        expect(keys).toEqual(expected);
        expect(pages).toBe(Math.ceil(expected.length / 100));
        expect((await listAll('88.100.5.2/', 100)).keys).toEqual(['88.100.5.2/item-00001', '88.100.5.2/x']);
      });

      it('omits next when the last page is exactly full', async () => {
        const keys = Array.from({ length: 10 }, (_, i) => keyOf(i));
        await inChunks(keys, 10, (k) => store.put(k, urlRecord(k), undefined, META));
        const first = await store.list(PREFIX, { limit: 5 });
        expect(first).toEqual({ keys: keys.slice(0, 5), next: keys[4] });
        const second = await store.list(PREFIX, { after: first.next, limit: 5 });
        expect(second.keys).toEqual(keys.slice(5));
        expect(second.next).toBeUndefined();
      });

      it('keeps the cursor stable when keys around it change between pages', async () => {
        const keys = Array.from({ length: 6 }, (_, i) => keyOf(i * 10));
        await inChunks(keys, 6, (k) => store.put(k, urlRecord(k), undefined, META));
        const first = await store.list(PREFIX, { limit: 3 });
        expect(first.keys).toEqual(keys.slice(0, 3));
        await store.delete(keys[2] ?? '', undefined, META);
        await store.put(keyOf(5), urlRecord(keyOf(5)), undefined, META);
        await store.put(keyOf(25), urlRecord(keyOf(25)), undefined, META);
        const second = await store.list(PREFIX, { after: first.next, limit: 10 });
        expect(second.keys).toEqual([keyOf(25), ...keys.slice(3)]);
      });

      it('returns an empty page for an unused prefix or a cursor past the end', async () => {
        await store.put(keyOf(1), urlRecord(keyOf(1)), undefined, META);
        expect(await store.list('99.1/', { limit: 10 })).toEqual({ keys: [] });
        expect(await store.list(PREFIX, { after: PREFIX + 'zzz', limit: 10 })).toEqual({ keys: [] });
        expect(await store.list(PREFIX, { after: '00/', limit: 10 })).toEqual({ keys: [keyOf(1)] });
      });

      it('validates the limit (1..1000)', async () => {
        for (const limit of [0, -1, 1.5, 1001, Number.NaN]) {
          await expectCode(store.list(PREFIX, { limit }), 'IDN_ERR_INVALID_QUERY');
        }
        expect(await store.list(PREFIX, { limit: 1000 })).toEqual({ keys: [] });
      });
    });

    describe('allocate', () => {
      it('hands out consecutive ranges from 1, per counter', async () => {
        expect(await store.allocate('88.100.5/bat', 1)).toEqual({ first: 1, last: 1 });
        expect(await store.allocate('88.100.5/bat', 10)).toEqual({ first: 2, last: 11 });
        expect(await store.allocate('88.100.5/cell', 3)).toEqual({ first: 1, last: 3 });
        expect(await store.allocate('88.100.5/bat', 1_000_000)).toEqual({ first: 12, last: 1_000_011 });
      });

      it('never overlaps concurrent allocations', async () => {
        const counts = Array.from({ length: 200 }, (_, i) => 1 + ((i * 37) % 13));
        const ranges = await Promise.all(counts.map((c) => store.allocate('88.100.5/par', c)));
        ranges.forEach((r, i) => expect(r.last - r.first + 1).toBe(counts[i]));
        const sorted = [...ranges].sort((a, b) => a.first - b.first);
        let expectedFirst = 1;
        for (const r of sorted) {
          expect(r.first).toBe(expectedFirst);
          expectedFirst = r.last + 1;
        }
        expect(expectedFirst - 1).toBe(counts.reduce((a, b) => a + b, 0));
      });

      it('validates the count (1..1,000,000)', async () => {
        for (const count of [0, -5, 2.5, 1_000_001, Number.NaN]) {
          await expectCode(store.allocate('88.100.5/bad', count), 'IDN_ERR_BAD_REQUEST');
        }
        expect(await store.allocate('88.100.5/bad', 1)).toEqual({ first: 1, last: 1 });
      });

      it('continues after a reopen without reusing numbers', async (ctx) => {
        await store.allocate('88.100.5/durable', 5);
        if (!(await reopen())) return ctx.skip();
        expect(await store.allocate('88.100.5/durable', 2)).toEqual({ first: 6, last: 7 });
      });
    });

    describe('change log', () => {
      it('is empty at first', async () => {
        expect(await store.lastSeq()).toBe(0);
        expect(await store.changesSince(0, 100)).toEqual([]);
      });

      it('appends one gap-free entry per put/delete with actor, reason, versions and the record', async () => {
        const key = PREFIX + 'logged';
        const r1 = await store.put(key, urlRecord(key), { expectAbsent: true }, META);
        const r2 = await store.put(key, urlRecord(key, 'b'), undefined, { actor: 'alice', reason: 'fix url' });
        await expectCode(store.put(key, urlRecord(key), { expectVersion: 1 }, META), 'IDN_ERR_VERSION_MISMATCH');
        await expectCode(store.delete(PREFIX + 'nope', undefined, META), 'IDN_ERR_NOT_FOUND');
        const r3 = await store.delete(key, undefined, { actor: 'bob' });
        const log = await store.changesSince(0, 100);
        expect(log.map((e) => e.seq)).toEqual([1, 2, 3]);
        expect(log[0]).toMatchObject({ key, op: 'put', version: 1, previousVersion: 0, actor: META.actor, record: r1 });
        expect(log[0]?.reason).toBeUndefined();
        expect(log[1]).toMatchObject({ op: 'put', version: 2, previousVersion: 1, actor: 'alice', reason: 'fix url' });
        expect(log[1]?.record).toEqual(r2);
        expect(log[2]).toMatchObject({ op: 'delete', version: 3, previousVersion: 2, actor: 'bob', record: r3 });
        expect(log[2]?.at).toBe(r3.deletedAt);
        expect(await store.lastSeq()).toBe(3);
      });

      it('reads right behind its own commits exactly what a freshly opened store reads from disk', async (ctx) => {
        const keys = Array.from({ length: 30 }, (_, i) => `${PREFIX}behind-${i}`);
        await store.commit(
          keys
            .slice(0, 20)
            .map((k) => ({ op: 'put', key: k, input: urlRecord(k), cond: { expectAbsent: true } }) as const),
          { actor: 'bulk', reason: 'import' },
        );
        for (const k of keys.slice(20)) await store.put(k, urlRecord(k), undefined, META);
        await store.delete(keys[0]!, undefined, META);
        const pages = [
          await store.changesSince(0, 7),
          await store.changesSince(7, 100),
          await store.changesSince(31, 5),
        ];
        expect(pages.map((p) => p.length)).toEqual([7, 24, 0]);
        const fresh = await reopen();
        if (!fresh) return ctx.skip();
        // Compared as the JSON a reader (audit, sync) would send on.
        const json = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;
        expect(json(pages[0])).toEqual(json(await fresh.changesSince(0, 7)));
        expect(json(pages[1])).toEqual(json(await fresh.changesSince(7, 100)));
      });

      it('pages with afterSeq and limit', async () => {
        const keys = Array.from({ length: 12 }, (_, i) => `${PREFIX}p-${i}`);
        for (const k of keys) await store.put(k, urlRecord(k), undefined, META);
        expect((await store.changesSince(0, 5)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
        expect((await store.changesSince(10, 5)).map((e) => e.key)).toEqual(keys.slice(10));
        expect(await store.changesSince(12, 5)).toEqual([]);
        await expectCode(store.changesSince(-1, 5), 'IDN_ERR_INVALID_QUERY');
        await expectCode(store.changesSince(0, 0), 'IDN_ERR_INVALID_QUERY');
      });

      it("gives one key's history newest first across deletion and re-creation, paged with before", async () => {
        const key = PREFIX + 'lived';
        await store.put(key, urlRecord(key), { expectAbsent: true }, META);
        await store.put(PREFIX + 'other', urlRecord(PREFIX + 'other'), undefined, META);
        await store.put(key, urlRecord(key, 'b'), undefined, { actor: 'alice' });
        await store.delete(key, undefined, { actor: 'bob', reason: 'withdrawn' });
        await store.put(key, urlRecord(key, 'c'), { expectVersion: 3 }, { actor: 'carol' });
        const all = await store.historyOf(key, { limit: 10 });
        expect(all.next).toBeUndefined();
        expect(all.entries.map((e) => [e.seq, e.op, e.version, e.actor])).toEqual([
          [5, 'put', 4, 'carol'],
          [4, 'delete', 3, 'bob'],
          [3, 'put', 2, 'alice'],
          [1, 'put', 1, META.actor],
        ]);
        expect(all.entries[1]).toMatchObject({ reason: 'withdrawn', record: { deletedAt: all.entries[1]?.at } });
        const first = await store.historyOf(key, { limit: 2 });
        expect(first.entries.map((e) => e.seq)).toEqual([5, 4]);
        expect(first.next).toBe(4);
        const second = await store.historyOf(key, { before: first.next!, limit: 2 });
        expect(second.entries.map((e) => e.seq)).toEqual([3, 1]);
        expect(second.next).toBeUndefined();
        expect(await store.historyOf(PREFIX + 'never', { limit: 5 })).toEqual({ entries: [] });
        // A key that is a prefix of another does not see the other's entries.
        await store.put(key + 'x', urlRecord(key + 'x'), undefined, META);
        expect((await store.historyOf(key, { limit: 10 })).entries).toHaveLength(4);
        await expectCode(store.historyOf(key, { limit: 0 }), 'IDN_ERR_INVALID_QUERY');
        await expectCode(store.historyOf(key, { limit: 1001 }), 'IDN_ERR_INVALID_QUERY');
        await expectCode(store.historyOf(key, { before: 0, limit: 5 }), 'IDN_ERR_INVALID_QUERY');
      });

      it('keeps history for every op of a multi-op commit', async () => {
        const a = PREFIX + 'multi-a';
        await store.commit(
          [
            { op: 'put', key: a, input: urlRecord(a), cond: { expectAbsent: true } },
            { op: 'put', key: a, input: urlRecord(a, 'b'), cond: { expectVersion: 1 } },
            { op: 'delete', key: a, cond: { expectVersion: 2 } },
          ],
          META,
        );
        const h = await store.historyOf(a, { limit: 10 });
        expect(h.entries.map((e) => [e.op, e.version])).toEqual([
          ['delete', 3],
          ['put', 2],
          ['put', 1],
        ]);
      });

      it('stays gap-free under concurrent writers, one entry per committed version', async () => {
        const keys = Array.from({ length: 20 }, (_, i) => `${PREFIX}c-${i % 5}`);
        await Promise.all(keys.map((k) => store.put(k, urlRecord(k), undefined, META)));
        const log = await store.changesSince(0, 1000);
        expect(log.map((e) => e.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        const seen = new Set(log.map((e) => `${e.key}@${e.version}`));
        expect(seen.size).toBe(20);
        expect(await store.lastSeq()).toBe(20);
      });
    });

    describe('commit (many ops, one transaction)', () => {
      const putOp = (key: string, cond?: StoreOp['cond'], url?: string): StoreOp => ({
        op: 'put',
        key,
        input: urlRecord(key, url),
        cond,
      });

      it('writes every op with gap-free change-log entries in op order, returning the records', async () => {
        await store.put(PREFIX + 'm-old', urlRecord(PREFIX + 'm-old'), undefined, META);
        const ops: StoreOp[] = [
          putOp(PREFIX + 'm-b', { expectAbsent: true }),
          putOp(PREFIX + 'm-a'),
          { op: 'delete', key: PREFIX + 'm-old', cond: { expectVersion: 1 } },
          { ...putOp(PREFIX + 'm-c'), meta: { actor: 'system', reason: 'idempotency result' } },
        ];
        const records = await store.commit(ops, META);
        expect(records.map((r) => [r.handle, r.version, r.deletedAt !== undefined])).toEqual([
          ['88.100.5/M-B', 1, false],
          ['88.100.5/M-A', 1, false],
          ['88.100.5/M-OLD', 2, true],
          ['88.100.5/M-C', 1, false],
        ]);
        for (const [i, op] of ops.entries()) expect(await store.get(op.key)).toEqual(records[i]);
        const log = await store.changesSince(1, 100);
        expect(log.map((e) => [e.seq, e.key, e.op])).toEqual([
          [2, PREFIX + 'm-b', 'put'],
          [3, PREFIX + 'm-a', 'put'],
          [4, PREFIX + 'm-old', 'delete'],
          [5, PREFIX + 'm-c', 'put'],
        ]);
        expect(log.map((e) => e.actor)).toEqual([META.actor, META.actor, META.actor, 'system']);
        expect(log[3]?.reason).toBe('idempotency result');
        expect(log[1]?.record).toEqual(records[1]);
        expect(await store.lastSeq()).toBe(5);
      });

      it('applies ops on one key in order, each later op naming the version the earlier made', async () => {
        const key = PREFIX + 'm-twice';
        const records = await store.commit(
          [putOp(key, { expectAbsent: true }), putOp(key, { expectVersion: 1 }, 'https://example.com/2')],
          META,
        );
        expect(records.map((r) => r.version)).toEqual([1, 2]);
        expect((await store.get(key))?.values[0]?.data.value).toBe('https://example.com/2');
        expect((await store.changesSince(0, 10)).map((e) => [e.seq, e.version])).toEqual([
          [1, 1],
          [2, 2],
        ]);
      });

      it('a failing condition on op k fails the whole commit with that op index and writes nothing', async () => {
        const taken = PREFIX + 'm-taken';
        await store.put(taken, urlRecord(taken), undefined, META);
        const before = await store.get(taken);
        const ops = [putOp(PREFIX + 'm-1'), putOp(PREFIX + 'm-2'), putOp(taken, { expectAbsent: true })];
        await expectCode(store.commit(ops, META), 'IDN_ERR_ALREADY_EXISTS', { op: 2, version: 1 });
        const mismatch = [putOp(PREFIX + 'm-1'), putOp(taken, { expectVersion: 7 }), putOp(PREFIX + 'm-3')];
        await expectCode(store.commit(mismatch, META), 'IDN_ERR_VERSION_MISMATCH', { op: 1, expected: 7, actual: 1 });
        const gone = [putOp(PREFIX + 'm-1'), { op: 'delete', key: PREFIX + 'm-none', cond: undefined } as const];
        await expectCode(store.commit(gone, META), 'IDN_ERR_NOT_FOUND', { op: 1 });
        for (const k of ['m-1', 'm-2', 'm-3']) expect(await store.get(PREFIX + k)).toBeUndefined();
        expect(await store.get(taken)).toEqual(before);
        expect(await store.lastSeq()).toBe(1);
        expect((await store.list(PREFIX, { limit: 10 })).keys).toEqual([taken]);
        // The store still works after a refused commit, seq continuing without a gap.
        await store.commit([putOp(PREFIX + 'm-1')], META);
        expect((await store.changesSince(0, 10)).map((e) => e.seq)).toEqual([1, 2]);
      });

      it('an empty commit writes nothing', async () => {
        expect(await store.commit([], META)).toEqual([]);
        expect(await store.lastSeq()).toBe(0);
      });

      it('commits 5,000 ops at once: every record listed, 5,000 consecutive log entries', async () => {
        const keys = Array.from({ length: 5000 }, (_, i) => `${PREFIX}bulk-${String(i).padStart(5, '0')}`);
        const records = await store.commit(
          keys.map((k) => putOp(k, { expectAbsent: true })),
          META,
        );
        expect(records).toHaveLength(5000);
        expect(await store.lastSeq()).toBe(5000);
        const logged: string[] = [];
        for (let seq = 0; seq < 5000;) {
          const page = await store.changesSince(seq, 1000);
          if (page.length === 0) break;
          for (const e of page) expect(e.seq).toBe(++seq);
          logged.push(...page.map((e) => e.key));
        }
        expect(logged).toEqual(keys);
        const listed: string[] = [];
        for (let after: string | undefined; ;) {
          const p = await store.list(PREFIX, { limit: 1000, ...(after === undefined ? {} : { after }) });
          listed.push(...p.keys);
          if (p.next === undefined) break;
          after = p.next;
        }
        expect(listed).toEqual(keys);
        expect(await store.get(keys[4999]!)).toEqual(records[4999]);
      });

      it('of concurrent commits over the same key exactly one wins, the others writing nothing', async () => {
        const shared = PREFIX + 'm-shared';
        const attempts = Array.from({ length: 8 }, (_, i) =>
          store.commit([putOp(`${PREFIX}m-own-${i}`), putOp(shared, { expectAbsent: true })], META),
        );
        const results = await Promise.allSettled(attempts);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const own = await Promise.all(Array.from({ length: 8 }, (_, i) => store.get(`${PREFIX}m-own-${i}`)));
        expect(own.filter((r) => r !== undefined)).toHaveLength(1);
        expect(await store.lastSeq()).toBe(2);
      });
    });

    describe('commit with allocate ops (a counter range and the record keeping it, one transaction)', () => {
      const rangeRecord =
        (key: string) =>
        (r: { first: number; last: number }): RecordInput =>
          input(key.toUpperCase(), value(1, 'RANGE', r, 'json'));
      const allocOp = (key: string, count: number, cond: StoreOp['cond'] = { expectAbsent: true }): StoreOp => ({
        op: 'allocate',
        key,
        counter: '88.100.5/sn',
        count,
        input: rangeRecord(key),
        cond,
      });

      it('reserves the next range, stores the record built from it and logs it as a put', async () => {
        expect(await store.allocate('88.100.5/sn', 5)).toEqual({ first: 1, last: 5 });
        const [a, b] = await store.commit([allocOp(PREFIX + 'r-1', 10), allocOp(PREFIX + 'r-2', 3)], META);
        expect(a?.values[0]?.data.value).toEqual({ first: 6, last: 15 });
        expect(b?.values[0]?.data.value).toEqual({ first: 16, last: 18 });
        expect(await store.get(PREFIX + 'r-2')).toEqual(b);
        expect((await store.changesSince(0, 10)).map((e) => [e.key, e.op])).toEqual([
          [PREFIX + 'r-1', 'put'],
          [PREFIX + 'r-2', 'put'],
        ]);
        expect(await store.allocate('88.100.5/sn', 1)).toEqual({ first: 19, last: 19 });
      });

      it('a failing condition anywhere in the commit reserves nothing', async () => {
        await store.put(PREFIX + 'r-taken', urlRecord(PREFIX + 'r-taken'), undefined, META);
        const ops = [allocOp(PREFIX + 'r-1', 100), allocOp(PREFIX + 'r-taken', 1)];
        await expectCode(store.commit(ops, META), 'IDN_ERR_ALREADY_EXISTS', { op: 1 });
        await expectCode(store.commit([allocOp(PREFIX + 'r-2', 0)], META), 'IDN_ERR_BAD_REQUEST', { op: 0 });
        expect(await store.get(PREFIX + 'r-1')).toBeUndefined();
        expect(await store.allocate('88.100.5/sn', 1)).toEqual({ first: 1, last: 1 });
      });

      it('concurrent allocate commits and plain allocations never overlap', async () => {
        const commits = Array.from({ length: 20 }, (_, i) => store.commit([allocOp(`${PREFIX}r-c${i}`, 7)], META));
        const plain = Array.from({ length: 20 }, () => store.allocate('88.100.5/sn', 3));
        const [committed, ranges] = await Promise.all([Promise.all(commits), Promise.all(plain)]);
        const all = [
          ...committed.map((r) => r[0]!.values[0]!.data.value as { first: number; last: number }),
          ...ranges,
        ];
        all.sort((x, y) => x.first - y.first);
        let next = 1;
        for (const r of all) {
          expect(r.first).toBe(next);
          next = r.last + 1;
        }
        expect(next - 1).toBe(20 * 7 + 20 * 3);
      });
    });

    describe('durability and lifecycle', () => {
      it('keeps records, tombstones and the change log across a reopen', async (ctx) => {
        const live = await store.put(PREFIX + 'keep', urlRecord(PREFIX + 'keep'), undefined, META);
        await store.put(PREFIX + 'gone', urlRecord(PREFIX + 'gone'), undefined, META);
        const dead = await store.delete(PREFIX + 'gone', undefined, META);
        const log = await store.changesSince(0, 100);
        if (!(await reopen())) return ctx.skip();
        expect(await store.get(PREFIX + 'keep')).toEqual(live);
        expect(await store.get(PREFIX + 'gone')).toEqual(dead);
        expect(await store.changesSince(0, 100)).toEqual(log);
        expect(await store.lastSeq()).toBe(3);
        expect((await store.put(PREFIX + 'keep', urlRecord(PREFIX + 'keep'), { expectVersion: 1 }, META)).version).toBe(
          2,
        );
        expect(await store.lastSeq()).toBe(4);
      });

      it('close waits for writes already issued', async (ctx) => {
        const keys = Array.from({ length: 30 }, (_, i) => `${PREFIX}late-${i}`);
        const writes = keys.map((k) => store.put(k, urlRecord(k), undefined, META));
        await store.close();
        const results = await Promise.allSettled(writes);
        expect(results.every((r) => r.status === 'fulfilled')).toBe(true);
        if (!harness.reopen) return ctx.skip();
        store = await harness.reopen();
        for (const k of keys) expect((await store.get(k))?.version).toBe(1);
      });

      it('rejects every call after close with STORE_UNAVAILABLE', async () => {
        await store.put(PREFIX + 'x', urlRecord(PREFIX + 'x'), undefined, META);
        await store.close();
        const calls: (() => Promise<unknown>)[] = [
          () => store.get(PREFIX + 'x'),
          () => store.put(PREFIX + 'y', urlRecord(PREFIX + 'y'), undefined, META),
          () => store.delete(PREFIX + 'x', undefined, META),
          () => store.list(PREFIX, { limit: 10 }),
          () => store.allocate('c', 1),
          () => store.changesSince(0, 10),
          () => store.lastSeq(),
        ];
        for (const call of calls) await expectCode(call(), 'IDN_ERR_STORE_UNAVAILABLE');
      });
    });
  });
}
