import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/auth/identity.ts';
import { HomedPrefixes } from '../../src/authority/homed-prefixes.ts';
import { bootstrapHomedPrefixes } from '../../src/bootstrap/homed-prefix-records.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { NodeMetrics } from '../../src/observability/metrics.ts';
import type { ChangeBatch, IdentifierChange, PlannedChange, SystemRecordChange } from '../../src/records/change-set.ts';
import { PERM_ALL } from '../../src/records/permissions.ts';
import type { ValueInput } from '../../src/records/schema.ts';
import { ChangeFeed } from '../../src/store/change-feed.ts';
import { openLmdbStore, type LmdbStore } from '../../src/store/lmdb-store.ts';
import type { Store } from '../../src/store/store.ts';
import { clientPrincipal } from '../../src/write/principal.ts';
import { RecordService } from '../../src/write/record-service.ts';

/**
 * RecordService.applyEach over a real LMDB store: each change judged alone, the rest committed
 * together in ONE store commit. A store wrapper only counts commits, or lets another writer
 * (as another process on the same store would) create a key just before the batch's commit.
 */

const P = '88.100.5';
const id = (handle: string) => parseIdentifier(handle, 'text');
const url = (u: string): ValueInput => ({ index: 1, type: 'URL', data: u });
const create = (suffix: string, u = `https://example.com/${suffix}`): IdentifierChange => ({
  op: 'create',
  id: id(`${P}/${suffix}`),
  values: [url(u)],
});
const admin = clientPrincipal(makeIdentity(300, `${P}/ADMIN`, 'basic', PERM_ALL, 1));

let dir: string;
let store: LmdbStore;
let commits: number;
/** Runs once, inside the next commit call, before it reaches the store. */
let beforeNextCommit: (() => Promise<void>) | undefined;
let records: RecordService;
let metrics: NodeMetrics;

function counting(inner: Store): Store {
  return {
    kind: inner.kind,
    get: (k) => inner.get(k),
    historyOf: (k, p) => inner.historyOf(k, p),
    commit: async (ops, meta) => {
      commits += 1;
      const hook = beforeNextCommit;
      beforeNextCommit = undefined;
      await hook?.();
      return inner.commit(ops, meta);
    },
    put: (k, i, c, m) => inner.put(k, i, c, m),
    delete: (k, c, m) => inner.delete(k, c, m),
    list: (p, o) => inner.list(p, o),
    allocate: (c, n) => inner.allocate(c, n),
    changesSince: (a, l) => inner.changesSince(a, l),
    lastSeq: () => inner.lastSeq(),
    close: () => inner.close(),
  };
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-apply-each-'));
  store = await openLmdbStore({ path: join(dir, 'lmdb') });
  metrics = new NodeMetrics();
  records = new RecordService(counting(store), { homed: new HomedPrefixes([P]), changes: new ChangeFeed(), metrics });
  await bootstrapHomedPrefixes(records, [P], dir, 'apply-each-secret-01');
  commits = 0;
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

/** One result record per batch naming the created changes: what the batch route stores. */
const resultRecord =
  (key: string) =>
  (planned: readonly (PlannedChange | undefined)[]): SystemRecordChange[] => [
    {
      purpose: 'idempotency-result',
      key,
      record: {
        handle: key.toUpperCase(),
        values: [
          {
            index: 1,
            type: 'IDN_REGISTRY_STATE',
            data: { format: 'json', value: planned.flatMap((p) => (p === undefined ? [] : [p.handle])) },
            ttl: 86400,
            timestamp: new Date().toISOString(),
            access: 'authority',
          },
        ],
      },
      cond: { expectAbsent: true },
    },
  ];

describe('RecordService.applyEach', () => {
  it('refuses bad changes alone and commits the rest in one commit, as PUT would store them', async () => {
    await records.apply({ changes: [create('TAKEN')] }, admin);
    commits = 0;
    const seq = await store.lastSeq();
    const batch: ChangeBatch = {
      changes: [
        create('A-1'),
        create('XSS', 'javascript:alert(1)'),
        create('TAKEN'),
        create('A-2'),
        create('A-2'),
        { op: 'create', id: id('88.100.6/OTHER'), values: [url('https://example.com/o')] },
      ],
      systemFor: resultRecord('0.reg/idem/test/b1'),
      reason: 'bulk',
    };
    const result = await records.applyEach(batch, admin);
    expect(result.outcomes.map((o) => (o.ok ? o.applied.status : o.error.code))).toEqual([
      'created',
      'IDN_ERR_INVALID_VALUE',
      'IDN_ERR_ALREADY_EXISTS',
      'created',
      'IDN_ERR_ALREADY_EXISTS',
      'IDN_ERR_NOT_RESPONSIBLE',
    ]);
    expect(commits).toBe(1);
    // Two identifiers and the result record, nothing else; the result names only what was stored.
    expect(await store.lastSeq()).toBe(seq + 3);
    expect(result.system[0]?.values[0]?.data.value).toEqual([`${P}/A-1`, `${P}/A-2`]);
    const a1 = await store.get(id(`${P}/A-1`).key);
    expect(a1?.values.map((v) => v.type)).toEqual(['URL', 'HS_ADMIN']);
    expect(await store.get(id(`${P}/XSS`).key)).toBeUndefined();
    const counted = await metrics.registrations.get();
    const n = (op: string, r: string) => counted.values.find((v) => v.labels.op === op && v.labels.result === r)?.value;
    expect([n('create', 'ok'), n('update', 'error')]).toEqual([3, 4]);
  });

  it('a key created by another writer just before the commit fails alone; the rest commit without it', async () => {
    const batch: ChangeBatch = {
      changes: [create('B-1'), create('B-2'), create('B-3')],
      systemFor: resultRecord('0.reg/idem/test/b2'),
    };
    beforeNextCommit = async () => {
      const other = { handle: `${P}/B-2`, values: [] };
      await store.put(id(`${P}/B-2`).key, other, { expectAbsent: true }, { actor: 'another process' });
    };
    const result = await records.applyEach(batch, admin);
    expect(result.outcomes.map((o) => (o.ok ? o.applied.status : o.error.code))).toEqual([
      'created',
      'IDN_ERR_ALREADY_EXISTS',
      'created',
    ]);
    // The first commit lost the race; the second, re-planned without B-2, committed.
    expect(commits).toBe(2);
    expect(result.system[0]?.values[0]?.data.value).toEqual([`${P}/B-1`, `${P}/B-3`]);
    expect((await store.get(id(`${P}/B-2`).key))?.values).toEqual([]);
  });

  it('a system record whose condition fails rejects the batch, tagged, and stores nothing', async () => {
    await store.put('0.reg/idem/test/b3', { handle: '0.REG/IDEM/TEST/B3', values: [] }, undefined, { actor: 't' });
    const seq = await store.lastSeq();
    const batch: ChangeBatch = { changes: [create('C-1')], systemFor: resultRecord('0.reg/idem/test/b3') };
    await expect(records.applyEach(batch, admin)).rejects.toMatchObject({
      code: 'IDN_ERR_ALREADY_EXISTS',
      detail: { system: 0 },
    });
    expect(await store.lastSeq()).toBe(seq);
    expect(await store.get(id(`${P}/C-1`).key)).toBeUndefined();
  });

  it('commits 5,000 creates in one commit', async () => {
    const changes = Array.from({ length: 5000 }, (_, i) => create(`BULK-${i}`));
    const result = await records.applyEach({ changes }, admin);
    expect(result.outcomes.every((o) => o.ok)).toBe(true);
    expect(commits).toBe(1);
    expect((await store.get(id(`${P}/BULK-4999`).key))?.version).toBe(1);
  });
});
