import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * One request is one resolution in the metrics, however many records it looked at: the ancestors
 * of a walk-up are sub-lookups of that resolution, never resolutions (or cache entries) of their own.
 */

let node: TestNode;

const json = (index: number, type: string, value: unknown) => ({ index, type, data: { format: 'json', value } });
const str = (index: number, type: string, value: string) => ({ index, type, data: { format: 'string', value } });

/** The sum over every series of a metric family line prefix, e.g. `idnode_resolve_duration_seconds_count`. */
async function total(name: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
}

beforeAll(async () => {
  node = await startTestNode(['88.100.5']);
  const auth = node.adminAuth('88.100.5');
  const cfg = { pattern: 'CELL-{model}-{batch}-{serial}', batch: 'BATCH-{batch}', model: 'MODEL-{model}' };
  expect((await putRecord(node.url, '0.NA/88.100.5', [json(2, 'WALKUP', cfg)], auth, '?index=2')).status).toBe(200);
  const model = [urlValue(1, 'https://maker.example/m1'), str(2, 'DPP', 'https://maker.example/m1/passport')];
  expect((await putRecord(node.url, '88.100.5/MODEL-M1', model, auth)).status).toBe(201);
  const item = [urlValue(1, 'https://item.example/1')];
  expect((await putRecord(node.url, '88.100.5/CELL-M1-B7-0001', item, auth)).status).toBe(201);
});
afterAll(() => node?.close());

describe('resolutions in the metrics', () => {
  it('a walk-up for a type the item lacks counts as one resolution and one cache lookup', async () => {
    const resolutions = await total('idnode_resolve_duration_seconds_count');
    const lookups = await total('idnode_cache_lookups_total');
    const entries = await total('idnode_cache_entries');
    const res = await fetch(`${node.url}/api/handles/88.100.5/CELL-M1-B7-0001?type=DPP`);
    const body = (await res.json()) as { values: { data: { value: string } }[] };
    // The walk-up happened: the batch (missing), the model (has DPP) and the prefix record were looked at.
    expect(res.headers.get('x-idnode-resolved-via')).toBe('model');
    expect(body.values.map((v) => v.data.value)).toEqual(['https://maker.example/m1/passport']);
    expect(await total('idnode_resolve_duration_seconds_count')).toBe(resolutions + 1);
    expect(await total('idnode_cache_lookups_total')).toBe(lookups + 1);
    // Only the item's own answer is cached, none of its ancestors.
    expect(await total('idnode_cache_entries')).toBe(entries + 1);
  });

  it('a walk-up of a missing item (the walk-up stage) counts once too', async () => {
    const resolutions = await total('idnode_resolve_duration_seconds_count');
    const res = await fetch(`${node.url}/api/handles/88.100.5/CELL-M1-B9-0002`);
    expect(res.headers.get('x-idnode-resolved-via')).toBe('model');
    expect(await total('idnode_resolve_duration_seconds_count')).toBe(resolutions + 1);
  });
});
