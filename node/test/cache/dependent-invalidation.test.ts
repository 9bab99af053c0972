import { afterEach, describe, expect, it } from 'vitest';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { Store } from '../../src/store/store.ts';
import { faultyStore, type FaultyStore } from '../helpers/faulty-store.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/*
 * Answers built from other records (templates, walk-up) are cached under the identifier asked
 * for. A change to one of those records drops exactly the answers built from it: the others keep
 * coming from the cache. "From the cache" is judged by the store: a cached answer does not read
 * the identifier's own record.
 */

let node: TestNode | undefined;
let faults: FaultyStore;
let lmdb: Store;

async function start(): Promise<TestNode> {
  node = await startTestNode(['88.100.5', '88.100.6'], {
    wrapStore: (s) => {
      lmdb = s;
      return (faults = faultyStore(s)).store;
    },
  });
  return node;
}

afterEach(async () => {
  await node?.close();
  node = undefined;
});

const json = (index: number, type: string, value: unknown) => ({ index, type, data: { format: 'json', value } });
const template = (pattern: string, url: string) => [json(1, 'TEMPLATE', { pattern }), urlValue(2, url)];
const keyOf = (handle: string): string => parseIdentifier(handle, 'text').key;

interface Read {
  readonly status: number;
  readonly url: unknown;
  readonly via: string | null;
  /** Whether the answer came from the cache (the store was not asked for the identifier). */
  readonly cached: boolean;
}

async function read(handle: string): Promise<Read> {
  const before = faults.reads.get(keyOf(handle)) ?? 0;
  const res = await fetch(`${node!.url}/api/handles/${handle}`);
  const body = (await res.json()) as { values?: { type: string; data: { value: unknown } }[] };
  return {
    status: res.status,
    url: body.values?.find((v) => v.type === 'URL')?.data.value,
    via: res.headers.get('x-idnode-resolved-via'),
    cached: (faults.reads.get(keyOf(handle)) ?? 0) === before,
  };
}

/** Reads each twice, so each is cached; checks the second read came from the cache. */
async function warm(handles: readonly string[]): Promise<void> {
  for (const h of handles) {
    await read(h);
    expect((await read(h)).cached, h).toBe(true);
  }
}

async function put(handle: string, values: unknown[], query = ''): Promise<void> {
  const prefix = handle.startsWith('0.NA/') ? handle.slice(5) : handle.slice(0, handle.indexOf('/'));
  const r = await putRecord(node!.url, handle, values, node!.adminAuth(prefix), query);
  expect([200, 201], JSON.stringify(r.body)).toContain(r.status);
}

const cachedOf = async (handles: readonly string[]): Promise<Record<string, boolean>> => {
  const out: Record<string, boolean> = {};
  for (const h of handles) out[h] = (await read(h)).cached;
  return out;
};

describe('dependent invalidation', () => {
  it('a changed template drops the answers of its prefix that consulted templates, and nothing else', async () => {
    await start();
    await put('88.100.5/TEMPLATE.BAT', template('BAT-{serial}', 'https://a.example/bat/{serial}'));
    await put('88.100.5/TEMPLATE.LOT', template('LOT-{lot}', 'https://a.example/lot/{lot}'));
    await put('88.100.6/TEMPLATE.BAT', template('BAT-{serial}', 'https://b.example/bat/{serial}'));
    await put('88.100.5/EXACT-1', [urlValue(1, 'https://a.example/exact')]);
    await warm(['88.100.5/BAT-1', '88.100.5/LOT-1', '88.100.5/NOPE-1', '88.100.5/EXACT-1', '88.100.6/BAT-1']);

    await put('88.100.5/TEMPLATE.BAT', template('BAT-{serial}', 'https://a2.example/bat/{serial}'));
    expect(await read('88.100.5/BAT-1')).toMatchObject({ url: 'https://a2.example/bat/1', via: 'template' });
    expect(
      await cachedOf(['88.100.5/LOT-1', '88.100.5/NOPE-1', '88.100.5/EXACT-1', '88.100.6/BAT-1', '88.100.5/BAT-1']),
    ).toEqual({
      // Any template of the prefix may now be the best match, or match what matched none: dropped.
      '88.100.5/LOT-1': false,
      '88.100.5/NOPE-1': false,
      // An exact record never consults templates; another prefix has its own.
      '88.100.5/EXACT-1': true,
      '88.100.6/BAT-1': true,
      '88.100.5/BAT-1': true,
    });
  });

  it('a new template answers at once for an identifier whose "not found" was cached', async () => {
    await start();
    await put('88.100.6/EXACT-1', [urlValue(1, 'https://b.example/exact')]);
    await warm(['88.100.5/NEW-7', '88.100.6/NEW-7', '88.100.6/EXACT-1']);
    expect((await read('88.100.5/NEW-7')).status).toBe(404);
    await put('88.100.5/TEMPLATE.NEW', template('NEW-{n:digits}', 'https://a.example/new/{n}'));
    expect(await read('88.100.5/NEW-7')).toMatchObject({ status: 200, url: 'https://a.example/new/7', cached: false });
    expect(await cachedOf(['88.100.6/NEW-7', '88.100.6/EXACT-1'])).toEqual({
      '88.100.6/NEW-7': true,
      '88.100.6/EXACT-1': true,
    });
  });

  it('a changed walk-up source drops exactly the answers that looked at it', async () => {
    await start();
    const walkup = { pattern: 'CELL-{model}-{batch}-{serial}', batch: 'BATCH-{batch}', model: 'MODEL-{model}' };
    await put('0.NA/88.100.5', [json(2, 'WALKUP', { ...walkup, enterprise: 'DEFAULT' })], '?index=2');
    await put('88.100.5/DEFAULT', [urlValue(1, 'https://maker.example/')]);
    await put('88.100.5/BATCH-B1', [urlValue(1, 'https://maker.example/b1')]);
    await put('88.100.5/MODEL-M1', [urlValue(1, 'https://maker.example/m1')]);
    await put('88.100.5/EXACT-1', [urlValue(1, 'https://maker.example/exact')]);
    const [viaBatch, viaModel, viaDefault] = [
      '88.100.5/CELL-M1-B1-1',
      '88.100.5/CELL-M1-B2-1',
      '88.100.5/CELL-M2-B3-1',
    ];
    expect(await read(viaBatch)).toMatchObject({ via: 'batch' });
    expect(await read(viaModel)).toMatchObject({ via: 'model' });
    expect(await read(viaDefault)).toMatchObject({ via: 'enterprise' });
    await warm([viaBatch, viaModel, viaDefault, '88.100.5/EXACT-1']);

    await put('88.100.5/BATCH-B1', [urlValue(1, 'https://maker.example/b1-v2')]);
    expect(await read(viaBatch)).toMatchObject({ url: 'https://maker.example/b1-v2', cached: false });
    expect(await cachedOf([viaModel, viaDefault, '88.100.5/EXACT-1'])).toEqual({
      [viaModel]: true,
      [viaDefault]: true,
      '88.100.5/EXACT-1': true,
    });

    // The batch answered for viaBatch, so its model was never looked at: not a dependent.
    await put('88.100.5/MODEL-M1', [urlValue(1, 'https://maker.example/m1-v2')]);
    expect(await read(viaModel)).toMatchObject({ url: 'https://maker.example/m1-v2', cached: false });
    expect(await cachedOf([viaBatch, viaDefault])).toEqual({ [viaBatch]: true, [viaDefault]: true });

    // A record that did not exist when looked at is a source too.
    await put('88.100.5/BATCH-B3', [urlValue(1, 'https://maker.example/b3')]);
    expect(await read(viaDefault)).toMatchObject({ via: 'batch', url: 'https://maker.example/b3', cached: false });
    expect(await cachedOf([viaBatch, viaModel, '88.100.5/EXACT-1'])).toEqual({
      [viaBatch]: true,
      [viaModel]: true,
      '88.100.5/EXACT-1': true,
    });
  });

  it("a changed WALKUP value on the prefix's 0.NA record drops the walk-up answers and misses of that prefix only", async () => {
    await start();
    const cfg = { pattern: 'CELL-{batch}-{serial}', batch: 'BATCH-{batch}', enterprise: 'DEFAULT' };
    await put('0.NA/88.100.5', [json(2, 'WALKUP', cfg)], '?index=2');
    await put('0.NA/88.100.6', [json(2, 'WALKUP', cfg)], '?index=2');
    for (const p of ['88.100.5', '88.100.6']) {
      await put(`${p}/DEFAULT`, [urlValue(1, `https://${p}.example/default`)]);
      await put(`${p}/OTHER`, [urlValue(1, `https://${p}.example/other`)]);
    }
    const same = ['88.100.5/CELL-B1-1', '88.100.5/NOPE'];
    const unrelated = ['88.100.6/CELL-B1-1', '88.100.6/NOPE', '88.100.5/OTHER', '88.100.6/OTHER'];
    await warm([...same, ...unrelated]);
    expect(await read('88.100.5/CELL-B1-1')).toMatchObject({
      via: 'enterprise',
      url: 'https://88.100.5.example/default',
    });

    await put('0.NA/88.100.5', [json(2, 'WALKUP', { ...cfg, enterprise: 'OTHER' })], '?index=2');
    expect(await read('88.100.5/CELL-B1-1')).toMatchObject({
      via: 'enterprise',
      url: 'https://88.100.5.example/other',
      cached: false,
    });
    expect((await read('88.100.5/NOPE')).cached).toBe(false);
    expect(await cachedOf(unrelated)).toEqual(Object.fromEntries(unrelated.map((h) => [h, true])));
  });

  it('a gap on the change feed drops every cached answer and every compiled template', async () => {
    const n = await start();
    await put('88.100.5/TEMPLATE.BAT', template('BAT-{serial}', 'https://a.example/bat/{serial}'));
    await put('88.100.5/EXACT-1', [urlValue(1, 'https://a.example/exact')]);
    const handles = ['88.100.5/BAT-1', '88.100.5/EXACT-1', '88.100.5/NOPE', '88.100.6/NOPE'];
    await warm(handles);
    // Changed where the feed cannot see it (as when pub/sub messages are lost).
    const key = keyOf('88.100.5/TEMPLATE.BAT');
    const current = (await lmdb.get(key))!;
    const missed = { format: 'string', value: 'https://missed.example/bat/{serial}' };
    const values = current.values.map((v) => (v.type === 'URL' ? { ...v, data: missed } : v));
    await lmdb.put(key, { handle: current.handle, values }, { expectVersion: current.version }, { actor: 'test' });
    expect(await read('88.100.5/BAT-1')).toMatchObject({ url: 'https://a.example/bat/1', cached: true });

    n.ctx.changes.gap();
    expect(n.ctx.cache?.size).toBe(0);
    expect(await read('88.100.5/BAT-1')).toMatchObject({ url: 'https://missed.example/bat/1', cached: false });
    expect(await cachedOf(handles.slice(1))).toEqual(Object.fromEntries(handles.slice(1).map((h) => [h, false])));
  });
});
