import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, TEST_SECRET, type TestNode } from '../helpers/test-node.ts';

/*
 * A Handle REST client as the Handle.Net v9 REST API documents it and common client libraries
 * (pyhandle, b2handle) use it, written here from that behaviour and not from idnode's code:
 * - Basic auth with the user `<index>:<handle>`, the colon percent-encoded (`300%3A<prefix>/ADMIN`);
 * - create: PUT /api/handles/<h>?overwrite=false {values}, 201 created;
 * - read: GET /api/handles/<h>, {responseCode:1, handle, values}; "not found" is 404 with responseCode 100
 *   (the only answer such clients treat as "does not exist");
 * - add or modify values: PUT /api/handles/<h>?index=i&index=j with just those values;
 * - remove values: DELETE /api/handles/<h>?index=i; delete the handle: DELETE /api/handles/<h>.
 */

interface HsValue {
  readonly index: number;
  readonly type: string;
  readonly data: { readonly format: string; readonly value: unknown } | string;
}

interface HsReply {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { responseCode?: number; code?: string; message?: string; [k: string]: unknown };
}

class HandleRestClient {
  readonly #base: string;
  readonly #auth: string | undefined;

  constructor(base: string, user?: { index: number; handle: string; secret: string }) {
    this.#base = base;
    this.#auth =
      user === undefined
        ? undefined
        : `Basic ${Buffer.from(`${encodeURIComponent(`${user.index}:${user.handle}`)}:${user.secret}`).toString('base64')}`;
  }

  async #call(method: string, handle: string, query = '', body?: unknown): Promise<HsReply> {
    const headers: Record<string, string> = {};
    if (this.#auth !== undefined) headers.authorization = this.#auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.#base}/api/handles/${handle}${query}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as HsReply['body']) };
  }

  create(handle: string, values: readonly HsValue[]): Promise<HsReply> {
    return this.#call('PUT', handle, '?overwrite=false', { values });
  }
  get(handle: string, query = ''): Promise<HsReply> {
    return this.#call('GET', handle, query);
  }
  /** Adds or overwrites the given values, leaving the others alone. */
  putValues(handle: string, values: readonly HsValue[]): Promise<HsReply> {
    return this.#call('PUT', handle, `?${values.map((v) => `index=${v.index}`).join('&')}`, { values });
  }
  removeValues(handle: string, indexes: readonly number[]): Promise<HsReply> {
    return this.#call('DELETE', handle, `?${indexes.map((i) => `index=${i}`).join('&')}`);
  }
  delete(handle: string): Promise<HsReply> {
    return this.#call('DELETE', handle);
  }
  history(handle: string, query = ''): Promise<HsReply> {
    return this.#call('GET', handle, `?history=true${query}`);
  }
}

const P = '88.100.5';
const OTHER = '88.100.6';
const ADMIN = { index: 300, handle: `${P}/ADMIN`, secret: TEST_SECRET };

const admin = (handle: string, index: number, idx = 100): HsValue => ({
  index: idx,
  type: 'HS_ADMIN',
  data: { format: 'admin', value: { handle, index, permissions: '011111110011' } },
});
const text = (index: number, type: string, value: string): HsValue => ({
  index,
  type,
  data: { format: 'string', value },
});
const vlist = (index: number, members: { handle: string; index: number }[]): HsValue => ({
  index,
  type: 'HS_VLIST',
  data: { format: 'vlist', value: members },
});
const secret = (value: string): HsValue => ({ index: 300, type: 'HS_SECKEY', data: { format: 'string', value } });

/** The record a Handle client library's integration tests create. */
const TEST_RECORD: readonly HsValue[] = [
  admin(`${P}/ADMIN`, 300),
  text(111, 'TEST1', 'val1'),
  text(2222, 'TEST2', 'val2'),
  text(333, 'TEST3', 'val3'),
  { index: 4, type: 'TEST4', data: 'val4' },
];

type Values = { index: number; type: string; data: { value: unknown } }[];
const valuesOf = (r: HsReply): Values => r.body.values as Values;
const indexesOf = (r: HsReply): number[] => valuesOf(r).map((v) => v.index);
const dataAt = (r: HsReply, index: number): unknown => valuesOf(r).find((v) => v.index === index)?.data.value;

let node: TestNode;
let hs: HandleRestClient;
let anonymous: HandleRestClient;

beforeAll(async () => {
  node = await startTestNode([P, OTHER], { audit: true });
  hs = new HandleRestClient(node.url, ADMIN);
  anonymous = new HandleRestClient(node.url);
});

afterAll(async () => {
  await node.close();
});

/** The change audit follows the change log in the background: wait (bounded) for a line to arrive. */
async function auditedChanges(handle: string, count: number): Promise<Record<string, unknown>[]> {
  for (let attempt = 0; ; attempt++) {
    await node.ctx.audit.flush();
    const lines = (await readFile(join(node.dataDir, 'audit', 'changes.log'), 'utf8').catch(() => ''))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.identifier === handle);
    if (lines.length >= count || attempt >= 200) return lines;
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a Handle REST client, unchanged', () => {
  const H = `${P}/HS-CLIENT-1`;

  it('creates HS_ADMIN@100, TEST1@111, TEST2@2222, TEST3@333, TEST4@4 (201) and reads every value in index order', async () => {
    const created = await hs.create(H, TEST_RECORD);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ responseCode: 1, handle: H });
    // idnode's own layout preference is only advice: HS_ADMIN at 100 is the usual place, no warning.
    expect(created.headers.get('x-idnode-warning')).toBeNull();
    const read = await hs.get(H);
    expect(read.status).toBe(200);
    expect(read.body.responseCode).toBe(1);
    expect(indexesOf(read)).toEqual([4, 100, 111, 333, 2222]);
    expect(valuesOf(read).map((v) => [v.type, v.data.value])).toEqual([
      ['TEST4', 'val4'],
      ['HS_ADMIN', { handle: `${P}/ADMIN`, index: 300, permissions: '011111110011' }],
      ['TEST1', 'val1'],
      ['TEST3', 'val3'],
      ['TEST2', 'val2'],
    ]);
    // An anonymous resolver sees the same (all public) values.
    expect(indexesOf(await anonymous.get(H))).toEqual([4, 100, 111, 333, 2222]);
  });

  it('modifies, adds and removes values by index', async () => {
    expect((await hs.putValues(H, [text(111, 'TEST1', 'newval1')])).status).toBe(200);
    expect((await hs.putValues(H, [text(555, 'TEST5', 'val5'), text(3, 'TEST6', 'val6')])).status).toBe(200);
    let read = await hs.get(H);
    expect(indexesOf(read)).toEqual([3, 4, 100, 111, 333, 555, 2222]);
    expect([dataAt(read, 111), dataAt(read, 555), dataAt(read, 2222)]).toEqual(['newval1', 'val5', 'val2']);
    expect((await hs.removeValues(H, [2222, 333])).status).toBe(200);
    read = await hs.get(H);
    expect(indexesOf(read)).toEqual([3, 4, 100, 111, 555]);
    // Removing a value that is not there is Handle's "values not found".
    const missing = await hs.removeValues(H, [2222]);
    expect([missing.status, missing.body.responseCode]).toEqual([400, 200]);
    // Filters by index and by type, as Handle ORs them.
    expect(indexesOf(await hs.get(H, '?index=111&type=TEST5'))).toEqual([111, 555]);
  });

  it('deletes (200); then reads answer 404 with responseCode 100, and the handle is created again (201)', async () => {
    const deleted = await hs.delete(H);
    expect([deleted.status, deleted.body.responseCode]).toEqual([200, 1]);
    const gone = await hs.get(H);
    expect([gone.status, gone.body.responseCode, gone.body.code]).toEqual([404, 100, 'IDN_ERR_NOT_FOUND']);
    expect(gone.body.detail).toMatchObject({ deleted: true });
    // The same answer a second time comes from the cache ...
    const again = await hs.get(H);
    expect([again.status, again.headers.get('x-idnode-source')]).toEqual([404, 'cache']);
    // ... and the re-creation drops it there: the next read is the new record, not the tombstone.
    const recreated = await hs.create(H, TEST_RECORD);
    expect(recreated.status, JSON.stringify(recreated.body)).toBe(201);
    const read = await hs.get(H);
    expect([read.status, read.body.responseCode]).toEqual([200, 1]);
    expect(indexesOf(read)).toEqual([4, 100, 111, 333, 2222]);
    expect(dataAt(read, 111)).toBe('val1');
  });

  it('keeps the QR route answering a deleted product with its 410 "withdrawn" page', async () => {
    const Q = `${P}/HS-QR-1`;
    expect(
      (await hs.create(Q, [admin(`${P}/ADMIN`, 300), { index: 1, type: 'URL', data: 'https://dpp.example/q' }])).status,
    ).toBe(201);
    expect((await fetch(`${node.url}/${Q}`, { redirect: 'manual' })).status).toBe(302);
    expect((await hs.delete(Q)).status).toBe(200);
    const page = await fetch(`${node.url}/${Q}`, { redirect: 'manual' });
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('Identifier withdrawn');
    expect((await hs.get(Q)).status).toBe(404);
    expect(
      (await hs.create(Q, [admin(`${P}/ADMIN`, 300), { index: 1, type: 'URL', data: 'https://dpp.example/q2' }]))
        .status,
    ).toBe(201);
    const back = await fetch(`${node.url}/${Q}`, { redirect: 'manual' });
    expect([back.status, back.headers.get('location')]).toEqual([302, 'https://dpp.example/q2']);
  });

  it('keeps the deletion in the change audit: who, when, the last version', async () => {
    const lines = await auditedChanges(H, 6);
    expect(lines.map((e) => [e.op, e.previousVersion, e.version, e.actor])).toEqual([
      ['put', 0, 1, '300:88.100.5/ADMIN'],
      ['put', 1, 2, '300:88.100.5/ADMIN'],
      ['put', 2, 3, '300:88.100.5/ADMIN'],
      ['put', 3, 4, '300:88.100.5/ADMIN'],
      ['delete', 4, 5, '300:88.100.5/ADMIN'],
      ['put', 5, 6, '300:88.100.5/ADMIN'],
    ]);
    expect(typeof lines[4]?.at).toBe('string');
  });

  it('warns, never refuses, about an unusual layout (HS_ADMIN and keys outside their usual ranges)', async () => {
    const r = await hs.create(`${P}/HS-ODD-1`, [
      admin(`${P}/ADMIN`, 300, 7),
      { ...secret('odd-place-secret-1'), index: 8 },
    ]);
    expect(r.status).toBe(201);
    expect(r.headers.get('x-idnode-warning')).toBe(
      'values[0]: HS_ADMIN at index 7 (idnode keeps HS_ADMIN at 100-199); ' +
        'values[1]: HS_SECKEY at index 8 (idnode keeps keys at 300-399)',
    );
    // Recognised by type where it stands: the secret is sealed and redacted, the admin administers.
    const read = await hs.get(`${P}/HS-ODD-1`);
    expect(valuesOf(read).find((v) => v.index === 8)?.data).toEqual({ format: 'redacted', value: null });
    const asKey = new HandleRestClient(node.url, { index: 8, handle: `${P}/HS-ODD-1`, secret: 'odd-place-secret-1' });
    expect((await asKey.get(`${P}/HS-ODD-1`)).status).toBe(200);
  });
});

describe('history (GET ?history=true)', () => {
  const H = `${P}/HS-HIST-1`;

  beforeAll(async () => {
    expect((await hs.create(H, TEST_RECORD)).status).toBe(201);
    expect((await hs.putValues(H, [text(111, 'TEST1', 'v2')])).status).toBe(200);
    expect((await hs.delete(H)).status).toBe(200);
  });

  it('shows the record admin the create, update and delete with actor and version, also after deletion', async () => {
    const r = await hs.history(H);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.headers.get('cache-control')).toBe('private, no-store');
    const items = r.body.history as { op: string; version: number; actor: string; values: unknown[]; at: string }[];
    expect(items.map((e) => [e.op, e.version, e.actor])).toEqual([
      ['delete', 3, '300:88.100.5/ADMIN'],
      ['update', 2, '300:88.100.5/ADMIN'],
      ['create', 1, '300:88.100.5/ADMIN'],
    ]);
    expect(items[0]?.values).toEqual([]);
    expect(items[1]?.values).toContainEqual(
      expect.objectContaining({ index: 111, data: { format: 'string', value: 'v2' } }),
    );
    expect(r.body.next).toBeUndefined();
  });

  it('marks a re-creation as a create and pages with limit and before', async () => {
    expect((await hs.create(H, TEST_RECORD)).status).toBe(201);
    const first = await hs.history(H, '&limit=2');
    const page1 = first.body.history as { op: string; version: number; seq: number }[];
    expect(page1.map((e) => [e.op, e.version])).toEqual([
      ['create', 4],
      ['delete', 3],
    ]);
    expect(first.body.next).toBe(page1[1]?.seq);
    const second = await hs.history(H, `&limit=2&before=${String(first.body.next)}`);
    expect((second.body.history as { op: string }[]).map((e) => e.op)).toEqual(['update', 'create']);
    expect(second.body.next).toBeUndefined();
    const tooMany = await hs.history(H, '&limit=101');
    expect([tooMany.status, tooMany.body.code]).toEqual([400, 'IDN_ERR_INVALID_QUERY']);
  });

  it('never shows a secret, not even its hash', async () => {
    const K = `${P}/HS-HIST-KEY`;
    expect((await hs.create(K, [admin(`${P}/ADMIN`, 300), secret('history-secret-0001')])).status).toBe(201);
    const r = await hs.history(K);
    const body = JSON.stringify(r.body);
    expect(body).toContain('"format":"redacted"');
    expect(body).not.toContain('scrypt');
  });

  it('refuses anonymous callers (401 / responseCode 402) and other admins (403 / responseCode 400)', async () => {
    const anon = await anonymous.history(H);
    expect([anon.status, anon.body.responseCode, anon.body.code]).toEqual([401, 402, 'IDN_ERR_AUTH_REQUIRED']);
    const stranger = new HandleRestClient(node.url, { index: 300, handle: `${OTHER}/ADMIN`, secret: TEST_SECRET });
    const other = await stranger.history(H);
    expect([other.status, other.body.responseCode, other.body.code]).toEqual([403, 400, 'IDN_ERR_NOT_AUTHORIZED']);
    // An unknown name tells a stranger nothing either; the prefix admin hears 404.
    expect((await stranger.history(`${P}/HS-NEVER`)).status).toBe(403);
    expect((await hs.history(`${P}/HS-NEVER`)).status).toBe(404);
  });
});

describe('never-reuse (IDNODE_POLICY on 0.NA/<prefix>)', () => {
  it('refuses re-creating a deleted name with IDN_ERR_REUSE_FORBIDDEN, naming the policy and where it is set', async () => {
    const policy: HsValue = { index: 10, type: 'IDNODE_POLICY', data: { format: 'json', value: { neverReuse: true } } };
    expect((await hs.putValues(`0.NA/${P}`, [policy])).status).toBe(200);
    const H = `${P}/HS-NOREUSE-1`;
    expect((await hs.create(H, TEST_RECORD)).status).toBe(201);
    expect((await hs.delete(H)).status).toBe(200);
    const refused = await hs.create(H, TEST_RECORD);
    expect([refused.status, refused.body.responseCode, refused.body.code]).toEqual([
      409,
      101,
      'IDN_ERR_REUSE_FORBIDDEN',
    ]);
    expect(refused.body.message).toContain(`IDNODE_POLICY {"neverReuse": true} at index 10 of 0.NA/${P}`);
    // Every way of writing the name is refused alike (a PUT that replaces, a PUT of single values).
    const replace = await fetch(`${node.url}/api/handles/${H}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: node.adminAuth(P) },
      body: JSON.stringify({ values: TEST_RECORD }),
    });
    expect(replace.status).toBe(409);
    expect((await hs.putValues(H, [text(1, 'X', 'y')])).status).toBe(409);
    // The name stays "not found" for readers, as Handle says.
    expect((await hs.get(H)).status).toBe(404);
    // Names never deleted are unaffected; lifting the policy frees the name again.
    expect((await hs.create(`${P}/HS-NOREUSE-2`, TEST_RECORD)).status).toBe(201);
    expect((await hs.removeValues(`0.NA/${P}`, [10])).status).toBe(200);
    expect((await hs.create(H, TEST_RECORD)).status).toBe(201);
  });

  it('follows from a battery-passport METADATA_SCHEMA, unless IDNODE_POLICY says otherwise', async () => {
    const other = new HandleRestClient(node.url, { index: 300, handle: `${OTHER}/ADMIN`, secret: TEST_SECRET });
    const schema: HsValue = {
      index: 20,
      type: 'METADATA_SCHEMA',
      data: { format: 'json', value: { schema: 'battery-passport', kinds: ['product'] } },
    };
    expect((await other.putValues(`0.NA/${OTHER}`, [schema])).status).toBe(200);
    // A batch record is not a product, so the template does not apply to its values; the name rule does.
    const H = `${OTHER}/HS-BATCH-1`;
    const batch = [admin(`${OTHER}/ADMIN`, 300), text(1, 'KIND', 'batch')];
    expect((await other.create(H, batch)).status).toBe(201);
    expect((await other.delete(H)).status).toBe(200);
    const refused = await other.create(H, batch);
    expect([refused.status, refused.body.code]).toEqual([409, 'IDN_ERR_REUSE_FORBIDDEN']);
    expect(refused.body.message).toContain(`METADATA_SCHEMA "battery-passport" at index 20 of 0.NA/${OTHER}`);
    const allow: HsValue = { index: 10, type: 'IDNODE_POLICY', data: { format: 'json', value: { neverReuse: false } } };
    expect((await other.putValues(`0.NA/${OTHER}`, [allow])).status).toBe(200);
    expect((await other.create(H, batch)).status).toBe(201);
  });

  it('refuses a malformed policy value', async () => {
    const bad: HsValue = { index: 11, type: 'IDNODE_POLICY', data: { format: 'json', value: { neverReuse: 'yes' } } };
    const r = await hs.putValues(`0.NA/${P}`, [bad]);
    expect([r.status, r.body.code]).toEqual([400, 'IDN_ERR_INVALID_VALUE']);
    const unknown: HsValue = { index: 11, type: 'IDNODE_POLICY', data: { format: 'json', value: { forever: true } } };
    expect((await hs.putValues(`0.NA/${P}`, [unknown])).body.message).toContain('unknown policy');
    // Only on the prefix record, and once there.
    const good: HsValue = { index: 11, type: 'IDNODE_POLICY', data: { format: 'json', value: { neverReuse: true } } };
    const misplaced = await hs.create(`${P}/HS-POLICY-1`, [admin(`${P}/ADMIN`, 300), good]);
    expect([misplaced.status, misplaced.body.code]).toEqual([400, 'IDN_ERR_INVALID_VALUE']);
    expect(misplaced.body.message).toContain(`belongs on the prefix record 0.NA/${P}`);
    const twice = await hs.putValues(`0.NA/${P}`, [good, { ...good, index: 12 }]);
    expect([twice.status, twice.body.code]).toEqual([400, 'IDN_ERR_INVALID_VALUE']);
  });
});

describe('HS_VLIST admin groups', () => {
  const alice = { index: 300, handle: `${P}/ALICE`, secret: 'alice-secret-000001' };
  const bob = { index: 300, handle: `${P}/BOB`, secret: 'bob-secret-00000001' };
  let asAlice: HandleRestClient;
  let asBob: HandleRestClient;

  beforeAll(async () => {
    for (const who of [alice, bob]) {
      expect((await hs.create(who.handle, [admin(`${P}/ADMIN`, 300), secret(who.secret)])).status).toBe(201);
    }
    asAlice = new HandleRestClient(node.url, alice);
    asBob = new HandleRestClient(node.url, bob);
    // GROUP-B lists GROUP-A, which lists Alice: she is a member at depth 2.
    expect((await hs.create(`${P}/GROUP-A`, [admin(`${P}/ADMIN`, 300), vlist(200, [alice])])).status).toBe(201);
    expect(
      (
        await hs.create(`${P}/GROUP-B`, [
          admin(`${P}/ADMIN`, 300),
          vlist(200, [{ handle: `${P}/GROUP-A`, index: 200 }]),
        ])
      ).status,
    ).toBe(201);
  });

  it('lets a member (through a nested list) administer a record whose HS_ADMIN names the group; a non-member is refused', async () => {
    const R = `${P}/HS-GROUPED-1`;
    const values = [admin(`${P}/GROUP-B`, 200), text(1, 'DESC', 'grouped')];
    expect((await hs.create(R, values)).status).toBe(201);
    const byAlice = await asAlice.putValues(R, [text(1, 'DESC', 'changed by alice')]);
    expect(byAlice.status, JSON.stringify(byAlice.body)).toBe(200);
    const byBob = await asBob.putValues(R, [text(1, 'DESC', 'changed by bob')]);
    expect([byBob.status, byBob.body.responseCode, byBob.body.code]).toEqual([403, 400, 'IDN_ERR_NOT_AUTHORIZED']);
    expect(dataAt(await hs.get(R), 1)).toBe('changed by alice');
    // Membership is read when it is used: adding Bob to GROUP-A lets him in at once.
    expect((await hs.putValues(`${P}/GROUP-A`, [vlist(200, [alice, bob])])).status).toBe(200);
    expect((await asBob.putValues(R, [text(1, 'DESC', 'changed by bob')])).status).toBe(200);
    expect((await hs.putValues(`${P}/GROUP-A`, [vlist(200, [alice])])).status).toBe(200);
    expect((await asBob.putValues(R, [text(1, 'DESC', 'again bob')])).status).toBe(403);
  });

  it("gives a member the group admin's read of non-public values", async () => {
    const R = `${P}/HS-GROUPED-2`;
    const values = [admin(`${P}/GROUP-B`, 200), { ...text(1, 'NOTE', 'internal'), access: 'authority' }];
    expect((await hs.create(R, values)).status).toBe(201);
    expect(indexesOf(await anonymous.get(R))).toEqual([100]);
    expect(indexesOf(await asAlice.get(R))).toEqual([1, 100]);
    expect(indexesOf(await asBob.get(R))).toEqual([100]);
  });

  it('terminates on cyclic lists, refusing a non-member, admitting a member anywhere in the cycle', async () => {
    const C = `${P}/GROUP-C`;
    const D = `${P}/GROUP-D`;
    expect((await hs.create(C, [admin(`${P}/ADMIN`, 300), vlist(200, [{ handle: D, index: 200 }])])).status).toBe(201);
    expect(
      (
        await hs.create(D, [
          admin(`${P}/ADMIN`, 300),
          vlist(200, [
            { handle: C, index: 200 },
            { handle: C, index: 200 },
          ]),
        ])
      ).status,
    ).toBe(201);
    // A list naming itself, too.
    expect(
      (
        await hs.putValues(C, [
          vlist(201, [
            { handle: C, index: 201 },
            { handle: D, index: 200 },
          ]),
        ])
      ).status,
    ).toBe(200);
    const R = `${P}/HS-CYCLE-1`;
    expect((await hs.create(R, [admin(C, 200), admin(C, 201, 101), text(1, 'DESC', 'cyclic')])).status).toBe(201);
    const refused = await asAlice.putValues(R, [text(1, 'DESC', 'x')]);
    expect([refused.status, refused.body.code]).toEqual([403, 'IDN_ERR_NOT_AUTHORIZED']);
    expect((await hs.putValues(D, [vlist(200, [{ handle: C, index: 200 }, alice])])).status).toBe(200);
    expect((await asAlice.putValues(R, [text(1, 'DESC', 'x')])).status).toBe(200);
  });

  it("serves a Handle client's default owner, 200:0.NA/<prefix>, through an HS_VLIST on the prefix record", async () => {
    // The Handle convention: 0.NA/<prefix> index 200 lists the prefix's admins; clients name it as owner.
    expect((await hs.putValues(`0.NA/${P}`, [vlist(200, [{ handle: `${P}/ADMIN`, index: 300 }])])).status).toBe(200);
    const R = `${P}/HS-OWNER-1`;
    expect((await hs.create(R, [admin(`0.NA/${P}`, 200), text(111, 'TEST1', 'val1')])).status).toBe(201);
    expect((await hs.putValues(R, [text(111, 'TEST1', 'val2')])).status).toBe(200);
    expect((await hs.delete(R)).status).toBe(200);
  });

  it('refuses malformed HS_VLIST values with IDN_ERR_INVALID_VALUE naming the path', async () => {
    const cases: [HsValue, string][] = [
      [{ index: 200, type: 'HS_VLIST', data: { format: 'string', value: 'x' } }, 'values[0].data'],
      [vlist(200, [{ handle: 'no-slash', index: 300 }]), 'values[0].data.value[0].handle'],
      [vlist(200, [alice, { handle: `${P}/X`, index: 0 }]), 'values[0].data.value[1].index'],
      [
        { index: 200, type: 'HS_VLIST', data: { format: 'vlist', value: ['88.100.5/ALICE'] } },
        'values[0].data.value[0]',
      ],
    ];
    for (const [value, path] of cases) {
      const r = await hs.create(`${P}/GROUP-BAD`, [admin(`${P}/ADMIN`, 300), value].reverse());
      expect([r.status, r.body.code], JSON.stringify(r.body)).toEqual([400, 'IDN_ERR_INVALID_VALUE']);
      expect(r.body.message).toContain(path);
    }
    expect((await hs.get(`${P}/GROUP-BAD`)).status).toBe(404);
  });
});
