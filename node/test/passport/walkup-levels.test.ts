import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** Walk-up: item -> batch -> model -> enterprise default, as the enterprise configured it. */

let node: TestNode;
let auth: string;

const json = (index: number, type: string, value: unknown) => ({ index, type, data: { format: 'json', value } });
const str = (index: number, type: string, value: string) => ({ index, type, data: { format: 'string', value } });

async function read(path: string) {
  const res = await fetch(`${node.url}/api/handles/${path}`);
  const body = (await res.json()) as { handle?: string; values?: { type: string; data: { value: unknown } }[] };
  return {
    status: res.status,
    via: res.headers.get('x-idnode-resolved-via'),
    from: res.headers.get('x-idnode-resolved-from'),
    url: body.values?.find((v) => v.type === 'URL')?.data.value,
    body,
  };
}

beforeAll(async () => {
  node = await startTestNode(['88.100.5']);
  auth = node.adminAuth('88.100.5');
  const cfg = {
    pattern: 'CELL-{model}-{batch}-{serial}',
    batch: 'BATCH-{batch}',
    model: 'MODEL-{model}',
    enterprise: 'DEFAULT',
  };
  const r = await putRecord(node.url, '0.NA/88.100.5', [json(2, 'WALKUP', cfg)], auth, '?index=2');
  expect(r.status).toBe(200);
  expect(
    (await putRecord(node.url, '88.100.5/DEFAULT', [urlValue(1, 'https://maker.example.com/')], auth)).status,
  ).toBe(201);
});

afterAll(async () => node?.close());

describe('walk-up levels', () => {
  it('an item with nothing above it but the enterprise default gets the enterprise record', async () => {
    const r = await read('88.100.5/CELL-M1-B7-0001');
    expect(r).toMatchObject({
      status: 200,
      via: 'enterprise',
      from: '88.100.5/DEFAULT',
      url: 'https://maker.example.com/',
    });
    expect(r.body.handle).toBe('88.100.5/CELL-M1-B7-0001');
  });

  it('a model record, once registered, answers instead (the cached enterprise answer is dropped)', async () => {
    expect(
      (await putRecord(node.url, '88.100.5/MODEL-M1', [urlValue(1, 'https://maker.example.com/m1')], auth)).status,
    ).toBe(201);
    expect(await read('88.100.5/CELL-M1-B7-0001')).toMatchObject({ via: 'model', url: 'https://maker.example.com/m1' });
  });

  it('then a batch record, then the exact record', async () => {
    expect(
      (await putRecord(node.url, '88.100.5/BATCH-B7', [urlValue(1, 'https://maker.example.com/b7')], auth)).status,
    ).toBe(201);
    expect(await read('88.100.5/CELL-M1-B7-0001')).toMatchObject({ via: 'batch', url: 'https://maker.example.com/b7' });
    expect(
      (await putRecord(node.url, '88.100.5/CELL-M1-B7-0001', [urlValue(1, 'https://item.example/1')], auth)).status,
    ).toBe(201);
    expect(await read('88.100.5/CELL-M1-B7-0001')).toMatchObject({ via: null, url: 'https://item.example/1' });
  });

  it('an item lacking a requested type gets it from the first level that has it', async () => {
    const dpp = str(2, 'DPP', 'https://maker.example.com/m1/passport');
    expect(
      (await putRecord(node.url, '88.100.5/MODEL-M1', [urlValue(1, 'https://maker.example.com/m1'), dpp], auth)).status,
    ).toBe(200);
    const res = await fetch(`${node.url}/api/handles/88.100.5/CELL-M1-B7-0001?type=DPP`);
    const body = (await res.json()) as { values: { type: string; data: { value: string } }[] };
    expect(res.headers.get('x-idnode-resolved-via')).toBe('model');
    expect(body.values.map((v) => v.data.value)).toEqual(['https://maker.example.com/m1/passport']);
  });

  it('explicit BATCH and MODEL values win over the pattern, and loops end', async () => {
    expect((await putRecord(node.url, '88.100.5/LOT-X', [str(1, 'MODEL', 'MODEL-M1')], auth)).status).toBe(201);
    // An item naming its batch explicitly; the batch has no URL, its MODEL value leads on.
    const item = [urlValue(1, 'https://item.example/odd'), str(2, 'BATCH', 'LOT-X')];
    expect((await putRecord(node.url, '88.100.5/ODD-1', item, auth)).status).toBe(201);
    const res = await fetch(`${node.url}/api/handles/88.100.5/ODD-1?type=DPP`);
    expect(res.headers.get('x-idnode-resolved-via')).toBe('model');
    // A batch pointing back at the item: the walk visits each identifier once and stops.
    const loop = [urlValue(1, 'https://item.example/loop'), str(2, 'BATCH', 'LOOP-1'), str(3, 'MODEL', 'LOOP-1')];
    expect((await putRecord(node.url, '88.100.5/LOOP-1', loop, auth)).status).toBe(201);
    const l = await fetch(`${node.url}/api/handles/88.100.5/LOOP-1?type=DPP`);
    expect(l.status).toBe(200);
    expect(l.headers.get('x-idnode-resolved-via')).toBe(null);
  });

  it('a WALKUP target with "/" is a suffix under the item prefix unless its first segment has a dot', async () => {
    // Before, any target with "/" was taken as a full identifier: "LOTS/{batch}" looked for prefix "LOTS".
    const original = {
      pattern: 'CELL-{model}-{batch}-{serial}',
      batch: 'BATCH-{batch}',
      model: 'MODEL-{model}',
      enterprise: 'DEFAULT',
    };
    const cfg = { pattern: 'PART-{batch}-{serial}', batch: 'LOTS/{batch}', model: '88.100.5/MODEL-M1' };
    expect((await putRecord(node.url, '0.NA/88.100.5', [json(2, 'WALKUP', cfg)], auth, '?index=2')).status).toBe(200);
    try {
      expect(await read('88.100.5/PART-B9-0001')).toMatchObject({ via: 'model', from: '88.100.5/MODEL-M1' });
      const lot = await putRecord(node.url, '88.100.5/LOTS/B9', [urlValue(1, 'https://maker.example.com/b9')], auth);
      expect(lot.status).toBe(201);
      expect(await read('88.100.5/PART-B9-0001')).toMatchObject({ via: 'batch', from: '88.100.5/LOTS/B9' });
    } finally {
      await putRecord(node.url, '0.NA/88.100.5', [json(2, 'WALKUP', original)], auth, '?index=2');
    }
  });

  it('identifiers outside the pattern fall back to the enterprise record; without WALKUP nothing walks', async () => {
    expect(await read('88.100.5/SOMETHING-ELSE')).toMatchObject({ via: 'enterprise' });
    const bad = await putRecord(node.url, '0.NA/88.100.5', [json(2, 'WALKUP', { batch: 5 })], auth, '?index=2');
    expect(bad.body.code).toBe('IDN_ERR_INVALID_TEMPLATE');
    expect((await putRecord(node.url, '0.NA/88.100.5', [str(2, 'DESC', 'no walk-up')], auth, '?index=2')).status).toBe(
      200,
    );
    expect((await read('88.100.5/SOMETHING-ELSE')).status).toBe(404);
  });
});
