import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAgainst, metadataSchemaNames } from '../../src/passport/metadata-schemas.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** Metadata templates (元数据模板): a prefix requires its records to satisfy a named JSON schema. */

let node: TestNode;
let auth: string;

const json = (index: number, type: string, value: unknown) => ({ index, type, data: { format: 'json', value } });
const str = (index: number, type: string, value: string) => ({ index, type, data: { format: 'string', value } });

const PASSPORT = {
  manufacturerId: '88.100.5',
  model: 'M1',
  batch: '2025',
  serial: '000001',
  category: 'EV',
  chemistry: 'NMC811',
  ratedCapacity: { value: 120, unit: 'Ah' },
  manufactureDate: '2025-03-01',
  carbonFootprint: {
    value: 61.5,
    unit: 'kgCO2e/kWh',
    functionalUnit: '1 kWh of total energy provided over the service life',
    method: 'ISO 14067',
    verifier: { name: 'TÜV Example', id: 'NB-0123' },
    grade: 'B',
  },
};

type Failure = { path: string; message: string };
const failures = (body: Record<string, unknown>) =>
  ((body.detail as { failures: Failure[] }).failures ?? []).map((f) => f.path).sort();

beforeAll(async () => {
  node = await startTestNode(['88.100.5', '88.100.6']);
  auth = node.adminAuth('88.100.5');
  const r = await putRecord(
    node.url,
    '0.NA/88.100.5',
    [str(3, 'METADATA_SCHEMA', 'battery-passport')],
    auth,
    '?index=3',
  );
  expect(r.status).toBe(200);
});

afterAll(async () => node?.close());

describe('metadata schema on writes', () => {
  it('accepts a record whose BATTERY_PASSPORT satisfies the schema', async () => {
    const r = await putRecord(
      node.url,
      '88.100.5/BAT-OK-1',
      [urlValue(1, 'https://dpp.example.com/1'), json(2, 'BATTERY_PASSPORT', PASSPORT)],
      auth,
    );
    expect(r.status).toBe(201);
  });

  it('refuses a record without the required value, naming it', async () => {
    const r = await putRecord(node.url, '88.100.5/BAT-NONE', [urlValue(1, 'https://dpp.example.com/x')], auth);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('IDN_ERR_METADATA_SCHEMA');
    expect(failures(r.body)).toEqual(['/BATTERY_PASSPORT']);
  });

  it('lists every failing path', async () => {
    const { serial: _s, ...noSerial } = PASSPORT;
    const bad = {
      ...noSerial,
      chemistry: 'unobtainium',
      ratedCapacity: { value: -1, unit: 'Ah' },
      manufactureDate: '2025-13-40',
      colour: 'blue',
      carbonFootprint: { ...PASSPORT.carbonFootprint, unit: 'tons', method: 'guesswork' },
    };
    const r = await putRecord(node.url, '88.100.5/BAT-BAD', [json(2, 'BATTERY_PASSPORT', bad)], auth);
    expect(r.status).toBe(400);
    expect(failures(r.body)).toEqual([
      '/BATTERY_PASSPORT/carbonFootprint/method',
      '/BATTERY_PASSPORT/carbonFootprint/unit',
      '/BATTERY_PASSPORT/chemistry',
      '/BATTERY_PASSPORT/colour',
      '/BATTERY_PASSPORT/manufactureDate',
      '/BATTERY_PASSPORT/ratedCapacity/value',
      '/BATTERY_PASSPORT/serial',
    ]);
    expect(String(r.body.message)).toContain('battery-passport');
  });

  it('a change that removes or breaks the value is refused too', async () => {
    const r = await putRecord(
      node.url,
      '88.100.5/BAT-OK-1',
      [json(2, 'BATTERY_PASSPORT', { ...PASSPORT, model: '' })],
      auth,
      '?index=2',
    );
    expect(r.status).toBe(400);
    expect(failures(r.body)).toEqual(['/BATTERY_PASSPORT/model']);
  });

  it('exempts other kinds, templates and other prefixes', async () => {
    expect((await putRecord(node.url, '88.100.5/BATCH-2025', [str(1, 'KIND', 'batch')], auth)).status).toBe(201);
    const tpl = [json(1, 'TEMPLATE', { pattern: 'X-{serial}' }), urlValue(2, 'https://dpp.example.com/{serial}')];
    expect((await putRecord(node.url, '88.100.5/TEMPLATE.X', tpl, auth)).status).toBe(201);
    const other = await putRecord(
      node.url,
      '88.100.6/ANY',
      [urlValue(1, 'https://x.example')],
      node.adminAuth('88.100.6'),
    );
    expect(other.status).toBe(201);
  });

  it('carbon-label with kinds: failing paths under CARBON_LABEL', async () => {
    const req = json(4, 'METADATA_SCHEMA', { schema: 'carbon-label', kinds: ['park'] });
    expect((await putRecord(node.url, '0.NA/88.100.5', [req], auth, '?index=4')).status).toBe(200);
    const label = { value: 12, unit: 'kgCO2e', functionalUnit: 'year', method: 'ISO 14067', verifier: {} };
    const r = await putRecord(
      node.url,
      '88.100.5/PARK-1',
      [str(1, 'KIND', 'park'), json(2, 'CARBON_LABEL', label)],
      auth,
    );
    expect(r.status).toBe(400);
    expect(failures(r.body)).toEqual(['/CARBON_LABEL/unit', '/CARBON_LABEL/verifier/name']);
  });

  it('refuses a METADATA_SCHEMA naming a schema that is not shipped', async () => {
    const r = await putRecord(
      node.url,
      '0.NA/88.100.5',
      [str(5, 'METADATA_SCHEMA', 'no-such-schema')],
      auth,
      '?index=5',
    );
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('IDN_ERR_UNKNOWN_METADATA_SCHEMA');
  });

  it('ships schemas that compile (they are compiled at the first check, not at start-up)', () => {
    expect(metadataSchemaNames().length).toBeGreaterThan(0);
    for (const name of metadataSchemaNames()) expect(checkAgainst(name, {}).length).toBeGreaterThan(0);
  });
});
