import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeIdentity } from '../../src/auth/identity.ts';
import { hashSecret } from '../../src/auth/secret-hash.ts';
import { isSealedSecret } from '../../src/records/sealed-secret.ts';
import { HomedPrefixes } from '../../src/authority/homed-prefixes.ts';
import { bootstrapHomedPrefixes } from '../../src/bootstrap/homed-prefix-records.ts';
import { IdnError } from '../../src/errors/idn-error.ts';
import { cachingNodeRefusal } from '../../src/federation/caching-writer.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { NodeMetrics } from '../../src/observability/metrics.ts';
import type { ChangeSet, IdentifierChange } from '../../src/records/change-set.ts';
import { PERM_ALL } from '../../src/records/permissions.ts';
import type { ValueInput } from '../../src/records/schema.ts';
import { ChangeFeed } from '../../src/store/change-feed.ts';
import { openLmdbStore, type LmdbStore } from '../../src/store/lmdb-store.ts';
import { clientPrincipal, type Principal, type SystemPrincipal } from '../../src/write/principal.ts';
import { RecordService } from '../../src/write/record-service.ts';

/** RecordService over a real LMDB store in a temp dir, bootstrapped as main.ts does. */

const P = '88.100.5';
const SECRET = 'record-service-secret-01';
const id = (handle: string) => parseIdentifier(handle, 'text');
const url = (index: number, u: string): ValueInput => ({ index, type: 'URL', data: u });
const admin = clientPrincipal(makeIdentity(300, `${P}/ADMIN`, 'basic', PERM_ALL, 1));

/** A system actor allowed everything under the homed prefix: value rules must still hold for it. */
const registry: SystemPrincipal = {
  kind: 'system',
  name: 'prefix-registry',
  mayChange: (i) => i.prefix === P,
  revivesTombstones: false,
  homedOnly: true,
};

let dir: string;
let store: LmdbStore;
let records: RecordService;
let metrics: NodeMetrics;
let announced: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-records-'));
  store = await openLmdbStore({ path: join(dir, 'lmdb') });
  const changes = new ChangeFeed();
  announced = [];
  changes.subscribe((k) => announced.push(k));
  metrics = new NodeMetrics();
  records = new RecordService(store, { homed: new HomedPrefixes([P]), changes, metrics });
  await bootstrapHomedPrefixes(records, [P], dir, SECRET);
  announced.length = 0;
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function refusal(set: ChangeSet, who: Principal, service = records): Promise<IdnError> {
  try {
    await service.apply(set, who);
  } catch (e) {
    if (e instanceof IdnError) return e;
    throw e;
  }
  throw new Error('expected the change set to be refused');
}

/** Asserts that a refused set left the store exactly as it was: no record, no change-log entry, no announcement. */
async function expectNothingStored(seqBefore: number, handles: readonly string[]): Promise<void> {
  expect(await store.lastSeq()).toBe(seqBefore);
  for (const h of handles) expect(await store.get(id(h).key)).toBeUndefined();
  expect(announced).toEqual([]);
}

describe('RecordService', () => {
  it('bootstrap wrote the prefix records through the service: secret sealed, actor named', async () => {
    const adminRecord = await store.get(id(`${P}/ADMIN`).key);
    const secret = adminRecord?.values.find((v) => v.type === 'HS_SECKEY');
    expect(secret?.data.format).toBe('sealed');
    expect(isSealedSecret(secret?.data.value)).toBe(true);
    expect(secret?.access).toBe('authority');
    const log = await store.changesSince(0, 10);
    expect(log.map((e) => [e.record.handle, e.actor, e.reason])).toEqual([
      [`0.NA/${P}`, 'bootstrap', 'homed prefix setup'],
      [`${P}/ADMIN`, 'bootstrap', 'homed prefix setup'],
    ]);
  });

  it('refuses a javascript: URL from a system principal exactly as from a client, storing nothing', async () => {
    const seq = await store.lastSeq();
    const bad: IdentifierChange = { op: 'replace', id: id(`${P}/XSS`), values: [url(1, 'javascript:alert(1)')] };
    for (const who of [registry, admin]) {
      const e = await refusal({ changes: [bad] }, who);
      expect(e.code).toBe('IDN_ERR_INVALID_VALUE');
      expect(e.message).toContain('is not http or https');
    }
    await expectNothingStored(seq, [`${P}/XSS`]);
  });

  it('seals a cleartext HS_SECKEY and refuses a malformed one, for a system principal too', async () => {
    const seq = await store.lastSeq();
    const short: ValueInput = { index: 300, type: 'HS_SECKEY', data: 'short' };
    const e = await refusal({ changes: [{ op: 'create', id: id(`${P}/KEYED`), values: [short] }] }, registry);
    expect(e.code).toBe('IDN_ERR_INVALID_VALUE');
    const hashed: ValueInput = { index: 300, type: 'HS_SECKEY', data: { format: 'scrypt', value: 'x' } };
    const e2 = await refusal({ changes: [{ op: 'create', id: id(`${P}/KEYED`), values: [hashed] }] }, registry);
    expect(e2.code).toBe('IDN_ERR_INVALID_VALUE');
    await expectNothingStored(seq, [`${P}/KEYED`]);
    const clear: ValueInput = { index: 300, type: 'HS_SECKEY', data: 'a-long-enough-secret' };
    const done = await records.apply({ changes: [{ op: 'create', id: id(`${P}/KEYED`), values: [clear] }] }, registry);
    const stored = done.changes[0]?.record.values[0];
    expect(stored?.data.format).toBe('sealed');
    expect(JSON.stringify(stored)).not.toContain('a-long-enough-secret');
  });

  it('a set whose second change has a bad value stores nothing and names the change', async () => {
    const seq = await store.lastSeq();
    const changes: IdentifierChange[] = [
      { op: 'create', id: id(`${P}/A`), values: [url(1, 'https://example.com/a')] },
      { op: 'create', id: id(`${P}/B`), values: [url(1, 'notaurl')] },
      { op: 'create', id: id(`${P}/C`), values: [url(1, 'https://example.com/c')] },
    ];
    const e = await refusal({ changes }, admin);
    expect(e.code).toBe('IDN_ERR_INVALID_VALUE');
    expect(e.detail).toMatchObject({ change: 1 });
    await expectNothingStored(seq, [`${P}/A`, `${P}/B`, `${P}/C`]);
  });

  it('a set whose last change is refused when planned (delete of nothing) stores none of the earlier ones', async () => {
    const seq = await store.lastSeq();
    const changes: IdentifierChange[] = [
      { op: 'create', id: id(`${P}/A`), values: [url(1, 'https://example.com/a')] },
      { op: 'create', id: id(`${P}/B`), values: [url(1, 'https://example.com/b')] },
      { op: 'delete', id: id(`${P}/NEVER`) },
    ];
    const e = await refusal({ changes }, admin);
    expect(e.code).toBe('IDN_ERR_NOT_FOUND');
    expect(e.detail).toMatchObject({ change: 2 });
    await expectNothingStored(seq, [`${P}/A`, `${P}/B`]);
  });

  it('commits a set in one go: consecutive log entries, default HS_ADMIN, later changes see earlier ones', async () => {
    const seq = await store.lastSeq();
    const changes: IdentifierChange[] = [
      { op: 'create', id: id(`${P}/A`), values: [url(1, 'https://example.com/a')] },
      { op: 'upsert-indexes', id: id(`${P}/A`), values: [url(2, 'https://example.com/a2')] },
      { op: 'replace', id: id(`${P}/B`), values: [url(1, 'https://example.com/b')] },
    ];
    const result = await records.apply({ changes, reason: 'test batch' }, admin);
    expect(result.changes.map((c) => [c.handle, c.status, c.version])).toEqual([
      [`${P}/A`, 'created', 1],
      [`${P}/A`, 'updated', 2],
      [`${P}/B`, 'created', 1],
    ]);
    const a = await store.get(id(`${P}/A`).key);
    expect(a?.values.map((v) => [v.index, v.type])).toEqual([
      [1, 'URL'],
      [2, 'URL'],
      [100, 'HS_ADMIN'],
    ]);
    const log = await store.changesSince(seq, 10);
    expect(log.map((e) => [e.seq, e.key, e.actor, e.reason])).toEqual([
      [seq + 1, `${P}/a`.toLowerCase(), `300:${P}/ADMIN`, 'test batch'],
      [seq + 2, `${P}/a`.toLowerCase(), `300:${P}/ADMIN`, 'test batch'],
      [seq + 3, `${P}/b`.toLowerCase(), `300:${P}/ADMIN`, 'test batch'],
    ]);
    expect(announced).toEqual([`${P}/a`, `${P}/b`]);
    const counted = await metrics.registrations.get();
    const ok = (op: string) => counted.values.find((v) => v.labels.op === op && v.labels.result === 'ok')?.value;
    expect([ok('create'), ok('update')]).toEqual([2, 1]);
  });

  it('commits system records derived from the plan in the same commit, or nothing when one is refused', async () => {
    const key = '0.reg/idem/test/batch-1';
    const set: ChangeSet = {
      changes: [{ op: 'create', id: id(`${P}/IDEM`), values: [url(1, 'https://example.com/i')] }],
      systemFor: (planned) => [
        {
          purpose: 'idempotency-result',
          key,
          record: { handle: key.toUpperCase(), values: [] },
          cond: { expectAbsent: true },
          reason: `result: ${planned.map((p) => `${p.handle}@${p.version}`).join(',')}`,
        },
      ],
    };
    const seq = await store.lastSeq();
    const done = await records.apply(set, admin);
    expect(done.system.map((r) => r.handle)).toEqual([key.toUpperCase()]);
    const log = await store.changesSince(seq, 10);
    expect(log.map((e) => [e.seq, e.key, e.reason])).toEqual([
      [seq + 1, `${P}/idem`, undefined],
      [seq + 2, key, `result: ${P}/IDEM@1`],
    ]);
    // The same result key again: its condition fails, so the new identifier is not stored either.
    const again: ChangeSet = {
      ...set,
      changes: [{ op: 'create', id: id(`${P}/IDEM2`), values: [url(1, 'https://example.com/j')] }],
    };
    announced.length = 0;
    const e = await refusal(again, admin);
    expect(e.code).toBe('IDN_ERR_ALREADY_EXISTS');
    expect(e.detail).toMatchObject({ system: 0 });
    await expectNothingStored(seq + 2, [`${P}/IDEM2`]);
  });

  it('asks anonymous callers to authenticate and keeps system principals to their policy', async () => {
    const seq = await store.lastSeq();
    const change: IdentifierChange = { op: 'create', id: id(`${P}/ANON`), values: [url(1, 'https://example.com/')] };
    expect((await refusal({ changes: [change] }, clientPrincipal(undefined))).code).toBe('IDN_ERR_AUTH_REQUIRED');
    const boot = { ...registry, name: 'bootstrap', mayChange: () => false };
    const e = await refusal({ changes: [change] }, boot);
    expect(e.code).toBe('IDN_ERR_NOT_AUTHORIZED');
    expect(e.message).toContain('bootstrap may not create');
    const foreign: IdentifierChange = { ...change, id: id('88.999/X') };
    expect((await refusal({ changes: [foreign] }, registry)).code).toBe('IDN_ERR_NOT_RESPONSIBLE');
    await expectNothingStored(seq, [`${P}/ANON`]);
  });

  it('keeps the last admin of a record, whoever asks', async () => {
    await records.apply({ changes: [{ op: 'create', id: id(`${P}/OWNED`), values: [] }] }, admin);
    const drop: IdentifierChange = { op: 'remove-indexes', id: id(`${P}/OWNED`), indexes: [100] };
    for (const who of [admin, registry]) {
      expect((await refusal({ changes: [drop] }, who)).code).toBe('IDN_ERR_LAST_ADMIN');
    }
  });

  it('on a caching node refuses every client write naming the upstream, after the value rules', async () => {
    const caching = new RecordService(store, {
      homed: new HomedPrefixes([P]),
      changes: new ChangeFeed(),
      refuseClientWrite: cachingNodeRefusal('top.example:2641'),
    });
    const seq = await store.lastSeq();
    const good: IdentifierChange = { op: 'replace', id: id(`${P}/C`), values: [url(1, 'https://example.com/')] };
    let e = await refusal({ changes: [good] }, admin, caching);
    expect(e.code).toBe('IDN_ERR_NOT_RESPONSIBLE');
    expect(e.detail).toMatchObject({ upstream: 'top.example:2641' });
    const bad: IdentifierChange = { ...good, values: [url(1, 'data:text/html,x')] };
    e = await refusal({ changes: [bad] }, admin, caching);
    expect(e.code).toBe('IDN_ERR_INVALID_VALUE');
    await expectNothingStored(seq, [`${P}/C`]);
    // The node's own bootstrap (a system principal) still writes: it backs the token machinery.
    await store.delete(id(`${P}/ADMIN`).key, undefined, { actor: 'test' });
    await bootstrapHomedPrefixes(caching, [P], dir, SECRET);
    expect((await store.get(id(`${P}/ADMIN`).key))?.deletedAt).toBeUndefined();
  });

  it('takes any type at any index on every principal, and knows HS_ADMIN / HS_SECKEY by type', async () => {
    const h = `${P}/ANY-INDEX`;
    const values: ValueInput[] = [
      {
        index: 1,
        type: 'HS_ADMIN',
        data: { format: 'admin', value: { handle: `${P}/ADMIN`, index: 300, permissions: '111111111111' } },
      },
      { index: 100, type: 'DESC', data: 'not an admin' },
      { index: 2, type: 'HS_SECKEY', data: 'a-secret-at-index-2' },
      { index: 300, type: 'URL', data: 'https://example.com/at-300' },
    ];
    const [done] = (await records.apply({ changes: [{ op: 'create', id: id(h), values }] }, registry)).changes;
    expect(done?.warnings).toEqual([
      'values[0]: HS_ADMIN at index 1 (idnode keeps HS_ADMIN at 100-199)',
      'values[2]: HS_SECKEY at index 2 (idnode keeps keys at 300-399)',
    ]);
    const stored = await store.get(id(h).key);
    expect(isSealedSecret(stored?.values.find((v) => v.index === 2)?.data.value)).toBe(true);
    expect(stored?.values.find((v) => v.index === 2)?.access).toBe('authority');
    // The last-admin rule counts the HS_ADMIN at index 1.
    const drop: IdentifierChange = { op: 'remove-indexes', id: id(h), indexes: [1] };
    expect((await refusal({ changes: [drop] }, admin)).code).toBe('IDN_ERR_LAST_ADMIN');
  });

  it("puts the creator's default HS_ADMIN at the first free index from 100", async () => {
    const h = `${P}/DEFAULT-ADMIN`;
    const values = [url(100, 'https://example.com/100'), url(101, 'https://example.com/101')];
    await records.apply({ changes: [{ op: 'create', id: id(h), values }] }, admin);
    const stored = await store.get(id(h).key);
    expect(stored?.values.map((v) => [v.index, v.type])).toEqual([
      [100, 'URL'],
      [101, 'URL'],
      [102, 'HS_ADMIN'],
    ]);
  });

  it('creates a deleted identifier anew (version counting on); never-reuse binds clients, not bootstrap', async () => {
    const h = `${P}/REUSED`;
    const create: IdentifierChange = { op: 'create', id: id(h), values: [url(1, 'https://example.com/1')] };
    await records.apply({ changes: [create] }, admin);
    await records.apply({ changes: [{ op: 'delete', id: id(h) }] }, admin);
    const again = (await records.apply({ changes: [create] }, registry)).changes[0];
    expect([again?.status, again?.version]).toEqual(['created', 3]);
    const na = id(`0.NA/${P}`);
    const policy: ValueInput = {
      index: 10,
      type: 'IDNODE_POLICY',
      data: { format: 'json', value: { neverReuse: true } },
    };
    await records.apply({ changes: [{ op: 'upsert-indexes', id: na, values: [policy] }] }, admin);
    await records.apply({ changes: [{ op: 'delete', id: id(h) }] }, admin);
    for (const who of [admin, registry]) {
      const e = await refusal({ changes: [create] }, who);
      expect([e.code, e.detail?.setBy]).toEqual(['IDN_ERR_REUSE_FORBIDDEN', `0.NA/${P}`]);
    }
    // The prefix's own records come back at the next start whatever the policy says (the config homes it).
    await records.apply({ changes: [{ op: 'delete', id: id(`${P}/ADMIN`) }] }, admin);
    await bootstrapHomedPrefixes(records, [P], dir, SECRET);
    expect((await store.get(id(`${P}/ADMIN`).key))?.deletedAt).toBeUndefined();
  });

  it('follows HS_VLIST groups as the set sees them: a change to the group earlier in the set counts', async () => {
    const alice = clientPrincipal(makeIdentity(300, `${P}/ALICE`, 'basic', PERM_ALL, 1));
    const adminOf = (handle: string, index: number): ValueInput => ({
      index: 100,
      type: 'HS_ADMIN',
      data: { format: 'admin', value: { handle, index, permissions: '011111110011' } },
    });
    const members = (...m: string[]): ValueInput => ({
      index: 200,
      type: 'HS_VLIST',
      data: { format: 'vlist', value: m.map((handle) => ({ handle, index: 300 })) },
    });
    // A self-administered group: its members manage it.
    const team = id(`${P}/TEAM`);
    const owned = id(`${P}/TEAM-OWNED`);
    await records.apply(
      {
        changes: [
          { op: 'create', id: team, values: [adminOf(`${P}/TEAM`, 200), members(`${P}/ALICE`)] },
          { op: 'create', id: owned, values: [adminOf(`${P}/TEAM`, 200), url(1, 'https://example.com/team')] },
        ],
      },
      admin,
    );
    const edit = (u: string): IdentifierChange => ({ op: 'upsert-indexes', id: owned, values: [url(1, u)] });
    expect((await records.apply({ changes: [edit('https://example.com/a')] }, alice)).changes[0]?.status).toBe(
      'updated',
    );
    // Leaving the group, then editing, in one set: the edit is judged against the group without her.
    const seq = await store.lastSeq();
    const leave: IdentifierChange = { op: 'upsert-indexes', id: team, values: [members()] };
    const e = await refusal({ changes: [leave, edit('https://example.com/b')] }, alice);
    expect([e.code, e.detail?.change]).toEqual(['IDN_ERR_NOT_AUTHORIZED', 1]);
    expect(await store.lastSeq()).toBe(seq);
    // The prefix admin is not the record's admin: the group is.
    expect((await refusal({ changes: [edit('https://example.com/c')] }, admin)).code).toBe('IDN_ERR_NOT_AUTHORIZED');
  });

  it('a principal copying stored values: sealed secrets only and well formed, timestamps kept, replace is exact', async () => {
    const copier: SystemPrincipal = { ...registry, name: 'sync:test', valueForm: 'stored' };
    const sealed = { format: 'scrypt', value: await hashSecret('copied-secret-0123456') };
    const then = '2020-01-02T03:04:05.000Z';
    const adminRef = { handle: `${P}/ADMIN`, index: 300, permissions: '011111110011' };
    const values = [
      { ...url(1, 'https://example.com/copy'), ttl: 60, timestamp: then, access: 'public' },
      { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: adminRef }, ttl: 60, timestamp: then },
      { index: 300, type: 'HS_SECKEY', data: sealed, ttl: 60, timestamp: then },
    ] as ValueInput[];
    const h = `${P}/COPY`;
    const created = await records.apply({ changes: [{ op: 'create', id: id(h), values }] }, copier);
    expect(created.changes[0]!.record.values.map((v) => [v.index, v.timestamp, v.data])).toEqual([
      [1, then, { format: 'string', value: 'https://example.com/copy' }],
      [100, then, { format: 'admin', value: adminRef }],
      [300, then, sealed],
    ]);
    // An exact copy: the secret the source dropped is dropped here too (a client's replace would keep admins).
    const later = '2021-01-01T00:00:00.000Z';
    const next = [{ ...values[0]!, timestamp: later }, values[1]!];
    const replaced = await records.apply({ changes: [{ op: 'replace', id: id(h), values: next }] }, copier);
    expect(replaced.changes[0]!.record.values.map((v) => [v.index, v.timestamp])).toEqual([
      [1, later],
      [100, then],
    ]);

    const seq = await store.lastSeq();
    announced.length = 0;
    const secretAs = (data: unknown): IdentifierChange => ({
      op: 'create',
      id: id(`${P}/COPY-BAD`),
      values: [{ index: 300, type: 'HS_SECKEY', data } as ValueInput],
    });
    const hash = sealed.value;
    for (const data of [
      { format: 'string', value: 'cleartext-secret-0123' },
      { format: 'redacted', value: null },
      { format: 'scrypt', value: { ...hash, N: 2 ** 30 } },
      { format: 'scrypt', value: { ...hash, extra: 1 } },
      { format: 'scrypt', value: { ...hash, hash: 'not base64!' } },
      { format: 'sealed', value: { alg: 'A256GCM', kid: 'x', iv: '', ct: '', tag: '' } },
      { format: 'sealed', value: { ...records.keyring.seal('copied-secret-0123456'), alg: 'A128GCM' } },
      { format: 'sealed', value: { ...records.keyring.seal('copied-secret-0123456'), secret: 'copied' } },
      { format: 'aes', value: records.keyring.seal('copied-secret-0123456') },
    ]) {
      expect((await refusal({ changes: [secretAs(data)] }, copier)).code, JSON.stringify(data)).toBe(
        'IDN_ERR_INVALID_VALUE',
      );
    }
    // A client cannot smuggle a hash of its choosing in: secrets arrive in the clear from clients.
    expect((await refusal({ changes: [secretAs(sealed)] }, admin)).code).toBe('IDN_ERR_INVALID_VALUE');
    await expectNothingStored(seq, [`${P}/COPY-BAD`]);
  });
});
