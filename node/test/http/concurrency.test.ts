import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** Concurrent writers over real HTTP on one real LMDB store: no lost update, no double create. */

const P = '88.100.5';
let node: TestNode;

const stored = (handle: string) => node.ctx.store.get(parseIdentifier(handle, 'text').key);

beforeAll(async () => {
  node = await startTestNode([P]);
});
afterAll(() => node.close());

describe('concurrent writes to one record', () => {
  it('50 concurrent PUT ?index=<i> adding distinct values all succeed and none is lost', async () => {
    const h = `${P}/CONC-ADD`;
    const auth = node.adminAuth(P);
    expect((await putRecord(node.url, h, [urlValue(1, 'https://example.com/base')], auth)).status).toBe(201);
    const before = (await stored(h))!;

    const indexes = Array.from({ length: 50 }, (_, i) => 1000 + i);
    const results = await Promise.all(
      indexes.map((i) => putRecord(node.url, h, [urlValue(i, `https://example.com/v/${i}`)], auth, `?index=${i}`)),
    );
    expect(results.map((r) => r.status)).toEqual(indexes.map(() => 200));

    const after = (await stored(h))!;
    for (const i of indexes) {
      expect(after.values.find((v) => v.index === i)?.data.value).toBe(`https://example.com/v/${i}`);
    }
    expect(after.values.find((v) => v.index === 1)?.data.value).toBe('https://example.com/base');
    // Every write is one version: 50 writes, 50 versions, and every reply names a distinct one.
    expect(after.version).toBe(before.version + 50);
    expect(new Set(results.map((r) => r.body.version)).size).toBe(50);
    // And what a reader sees over HTTP agrees.
    const read = (await (await fetch(`${node.url}/api/handles/${h}`)).json()) as { values: { index: number }[] };
    expect(read.values.filter((v) => v.index >= 1000)).toHaveLength(50);
  });

  it('concurrent writes with the same If-Match: exactly one succeeds, the rest get 412 and change nothing', async () => {
    const h = `${P}/CONC-IFMATCH`;
    const auth = node.adminAuth(P);
    const created = await putRecord(node.url, h, [urlValue(1, 'https://example.com/0')], auth);
    const etag = created.headers.get('etag')!;
    expect(etag).toMatch(/^"\d+"$/);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        putRecord(node.url, h, [urlValue(1, `https://example.com/w/${i}`)], auth, '?index=1', { 'if-match': etag }),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const stale = results.filter((r) => r.status === 412);
    expect(ok).toHaveLength(1);
    expect(stale).toHaveLength(19);
    for (const r of stale) expect(r.body.code).toBe('IDN_ERR_VERSION_MISMATCH');

    const winner = results.indexOf(ok[0]!);
    const after = (await stored(h))!;
    expect(after.version).toBe(Number(etag.replaceAll('"', '')) + 1);
    expect(after.values.find((v) => v.index === 1)?.data.value).toBe(`https://example.com/w/${winner}`);

    // The If-Match everybody used is now stale for everybody.
    const late = await putRecord(node.url, h, [urlValue(1, 'https://example.com/late')], auth, '?index=1', {
      'if-match': etag,
    });
    expect(late.status).toBe(412);
    expect((await stored(h))!.version).toBe(after.version);
  });

  it('20 concurrent creates of one new identifier with overwrite=false: exactly one 201, the rest 409', async () => {
    const h = `${P}/CONC-CREATE`;
    const auth = node.adminAuth(P);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        putRecord(node.url, h, [urlValue(1, `https://example.com/c/${i}`)], auth, '?overwrite=false'),
      ),
    );
    const created = results.filter((r) => r.status === 201);
    const conflicts = results.filter((r) => r.status === 409);
    expect(created).toHaveLength(1);
    expect(conflicts).toHaveLength(19);
    for (const r of conflicts) expect(r.body.code).toBe('IDN_ERR_ALREADY_EXISTS');

    const winner = results.indexOf(created[0]!);
    const rec = (await stored(h))!;
    expect(rec.version).toBe(1);
    expect(rec.values.find((v) => v.index === 1)?.data.value).toBe(`https://example.com/c/${winner}`);
  });

  it('concurrent writers to different records do not hold each other up or interfere', async () => {
    const auth = node.adminAuth(P);
    const handles = Array.from({ length: 30 }, (_, i) => `${P}/CONC-MANY-${i}`);
    const results = await Promise.all(
      handles.map((h, i) => putRecord(node.url, h, [urlValue(1, `https://example.com/m/${i}`)], auth)),
    );
    expect(results.map((r) => r.status)).toEqual(handles.map(() => 201));
    for (const [i, h] of handles.entries())
      expect((await stored(h))!.values[0]!.data.value).toBe(`https://example.com/m/${i}`);
  });
});
