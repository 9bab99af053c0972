import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditCodeCheckChar } from '../../../prefix-registry/src/index.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { ValueInput } from '../../src/records/schema.ts';
import { validateValues } from '../../src/records/validate-values.ts';
import { checkValueShapes } from '../../src/records/value-shape.ts';
import type { ChangeEntry } from '../../src/store/store.ts';
import { readCursor } from '../../src/sync/index.ts';
import { BAD_VALUES, PLANTED_SECRET, SECRET_VALUE, type BadValueRow } from '../fixtures/bad-values.ts';
import { putRecord, startTestNode, TEST_SECRET, type TestNode } from '../helpers/test-node.ts';
import {
  allChanges,
  asValueInputs,
  changesAfter,
  batchPath,
  csvLine,
  importPath,
  putPath,
  startSyncRig,
  syncPath,
  tracesOf,
  type Answer,
  type CliImport,
  type SyncRig,
  type WritePath,
} from './write-paths.ts';

/*
 * One table of bad values (fixtures/bad-values.ts), every write path: PUT, batch NDJSON, `idnode
 * import` NDJSON and CSV (the real CLI), sync apply (a real push from a secondary through real
 * gRPC into this node's RecordService) and prefix approval. Each path must refuse each row with
 * the row's code and store nothing: no record, no provenance, no change-log entry for the key.
 * A planted cleartext secret is stored only sealed on every path that takes secrets at all.
 *
 * Expected today on branch i9-sync alone: the batch and import paths still go through the
 * registry's own writer (prefix-registry/src/suffixes.ts), which skips the value rules, so most
 * of their rows fail; they pass once batch and import write through RecordService (i9-batch).
 */

const P = '88.100.5';
const SCHEMA_P = '88.100.5.77';
const SYNC_NODE = 'sec-bad';
const SYNC_P = '88.200';
const SYNC_SCHEMA_P = '88.200.77';
const ADMIN = `300:${P}/ADMIN`;
const SCHEMA_VALUE = { index: 1, type: 'METADATA_SCHEMA', data: { format: 'string', value: 'carbon-label' } };
const GOOD_URL = { index: 1, type: 'URL', data: { format: 'string', value: 'https://passport.example.com/ok' } };

let node: TestNode;
let rig: SyncRig;
const printed: CliImport = { runs: [], files: [] };
const auth = (): string => node.adminAuth(P);
const cliEnv = (): Record<string, string> => ({ IDNODE_URL: node.url, IDNODE_USER: ADMIN, IDNODE_SECRET: TEST_SECRET });

beforeAll(async () => {
  node = await startTestNode([P]);
  // The schema prefix of the metadata-schema rows, on the node's own side ...
  const na = await putRecord(node.url, `0.NA/${SCHEMA_P}`, [SCHEMA_VALUE], auth());
  if (na.status !== 201) throw new Error(`schema prefix: ${na.status} ${JSON.stringify(na.body)}`);
  // ... and on the secondary's, synced up like any record under its delegation.
  rig = await startSyncRig(node, SYNC_NODE, [SYNC_P]);
  await rig.writer.create(`0.NA/${SYNC_SCHEMA_P}`, asValueInputs([SCHEMA_VALUE]));
  await rig.caughtUp();
  if (rig.refused.length > 0) throw new Error(`schema prefix refused by the sync: ${rig.refused.join(', ')}`);
}, 60_000);

afterAll(async () => {
  await rig?.close();
  await node?.close();
});

interface PathSpec {
  readonly name: string;
  readonly tag: string;
  readonly prefix: string;
  readonly schemaPrefix: string;
  readonly make: () => WritePath;
  /** Why this path cannot carry the row at all (the row is then not run on it), or undefined. */
  readonly cannotCarry?: (row: BadValueRow) => string | undefined;
}

const CSV_LIMIT =
  'CSV carries string values only: a URL at index 1 and typed string columns at 2, 3, ... ' +
  '(no json data, no index, ttl or access of its own, so no reserved-index type either)';
const TIER_ON_THE_WIRE =
  "the wire's AccessTier enum has three tiers; a sender's unknown tier decodes as 'authority' " +
  '(fail-closed, tested below), so the row arrives as a valid, most restricted value';

const PATHS: readonly PathSpec[] = [
  { name: 'PUT', tag: 'PUT', prefix: P, schemaPrefix: SCHEMA_P, make: () => putPath(node, auth()) },
  { name: 'batch NDJSON', tag: 'BATCH', prefix: P, schemaPrefix: SCHEMA_P, make: () => batchPath(node, auth()) },
  {
    name: 'idnode import NDJSON',
    tag: 'IMPN',
    prefix: P,
    schemaPrefix: SCHEMA_P,
    make: () => importPath(cliEnv(), 'ndjson', printed),
  },
  {
    name: 'idnode import CSV',
    tag: 'IMPC',
    prefix: P,
    schemaPrefix: SCHEMA_P,
    make: () => importPath(cliEnv(), 'csv', printed),
    cannotCarry: (row) => (needsIndexes(row) || csvLine('X', row.values) === undefined ? CSV_LIMIT : undefined),
  },
  {
    name: 'sync apply',
    tag: 'SYNC',
    prefix: SYNC_P,
    schemaPrefix: SYNC_SCHEMA_P,
    make: () => syncPath(rig),
    cannotCarry: (row) => (row.name === 'unknown access tier' ? TIER_ON_THE_WIRE : undefined),
  },
];

/** A row whose code depends on the indexes it names (CSV numbers its columns itself). */
const needsIndexes = (row: BadValueRow): boolean =>
  row.code === 'IDN_ERR_DUPLICATE_INDEX' || row.values.some((v) => v.index !== 1 && v.index !== 2);

interface Case {
  readonly row: BadValueRow;
  readonly handle: string;
}

const casesFor = (spec: PathSpec): Case[] =>
  BAD_VALUES.filter((row) => spec.cannotCarry?.(row) === undefined).map((row, i) => ({
    row,
    handle: `${row.schemaPrefix ? spec.schemaPrefix : spec.prefix}/BAD-${spec.tag}-${i}`,
  }));

describe.each(PATHS.map((p) => [p.name, p] as const))('bad values on %s', (_name, spec) => {
  const cases = casesFor(spec);
  let answers: Answer[] = [];
  let log: ChangeEntry[] = [];

  beforeAll(async () => {
    const from = await node.ctx.store.lastSeq();
    answers = await spec.make()(cases.map((c) => ({ handle: c.handle, values: c.row.values })));
    log = await changesAfter(node.ctx.store, from);
  }, 120_000);

  it.each(cases.map((c, i) => [c.row.name, c.row.code, c, i] as const))(
    'refuses %s with %s and stores nothing',
    async (_row, code, c, i) => {
      expect(answers[i], c.handle).toMatchObject({ ok: false, code });
      expect(await tracesOf(node.ctx.store, c.handle, log)).toEqual({
        record: undefined,
        provenance: undefined,
        entries: 0,
      });
    },
  );
});

describe('rows a path cannot carry are named, with the reason', () => {
  it('CSV carries exactly the string-valued rows', () => {
    const carried = casesFor(PATHS.find((p) => p.tag === 'IMPC')!).map((c) => c.row.name);
    expect(carried).toEqual([
      'javascript: URL',
      'data: URL',
      'file: URL',
      'ftp: URL',
      'malformed URL',
      'oversized data',
      'bad e-mail',
      'unknown KIND',
      'metadata-schema value missing',
    ]);
  });

  it("sync apply: a sender's unknown access tier arrives as 'authority' (fail-closed), never public", async () => {
    const row = BAD_VALUES.find((r) => r.name === 'unknown access tier')!;
    const handle = `${SYNC_P}/BAD-SYNC-TIER`;
    const [answer] = await syncPath(rig)([{ handle, values: row.values }]);
    expect(answer).toEqual({ ok: true });
    const stored = await node.ctx.store.get(parseIdentifier(handle, 'text').key);
    expect(stored?.values.map((v) => v.access)).toEqual(['authority']);
  });
});

describe('sync apply counts what it refuses', () => {
  it("every refused entry is counted in the node's cursor on the top-level, the latest named with its code", async () => {
    const cursor = await readCursor(node.ctx.store, SYNC_NODE);
    expect(rig.refused.length).toBeGreaterThan(0);
    expect(cursor.refused).toBe(rig.refused.length);
    expect(cursor.lastRefused?.code).toBe(rig.refused.at(-1));
    expect(cursor.appliedThrough).toBe(await rig.secondary.lastSeq());
  });
});

/** The change-log entries of one identifier, as JSON: where a cleartext secret would show. */
async function traceText(handle: string): Promise<string> {
  const key = parseIdentifier(handle, 'text').key;
  return JSON.stringify((await allChanges(node.ctx.store)).filter((e) => e.key === key));
}

const secretOf = async (handle: string) =>
  (await node.ctx.store.get(parseIdentifier(handle, 'text').key))?.values.find((v) => v.type === 'HS_SECKEY');

describe('a planted cleartext secret is stored only sealed', () => {
  const sealed = { format: 'sealed', value: { alg: 'A256GCM' } };

  // CSV cannot carry a secret at all: secrets live at indexes 300-399, CSV columns are values 2, 3, ...
  it.each(PATHS.filter((p) => p.tag !== 'SYNC' && p.tag !== 'IMPC').map((p) => [p.name, p] as const))(
    'on %s',
    async (_name, spec) => {
      const handle = `${P}/SECRET-${spec.tag}`;
      const runsBefore = printed.runs.length;
      const [answer] = await spec.make()([{ handle, values: [GOOD_URL, SECRET_VALUE] }]);
      expect(answer).toMatchObject({ ok: true });
      expect(await secretOf(handle)).toMatchObject({ index: 300, access: 'authority', data: sealed });
      expect(await traceText(handle)).not.toContain(PLANTED_SECRET);
      // Nor does the CLI print it (output, error report) when it imports it.
      const cli = printed.runs.slice(runsBefore).map((r) => r.stdout + r.stderr);
      expect([...cli, ...printed.files].join('\n')).not.toContain(PLANTED_SECRET);
    },
  );

  it('on sync apply: a cleartext secret is refused; a sealed one is copied as it is (opaque)', async () => {
    const hostile = `${SYNC_P}/SECRET-CLEAR`;
    const [answer] = await syncPath(rig)([{ handle: hostile, values: [GOOD_URL, SECRET_VALUE] }]);
    expect(answer).toEqual({ ok: false, code: 'IDN_ERR_INVALID_VALUE' });
    expect(await node.ctx.store.get(parseIdentifier(hostile, 'text').key)).toBeUndefined();

    const healthy = `${SYNC_P}/SECRET-SEALED`;
    const before = rig.refused.length;
    await rig.writer.create(healthy, asValueInputs([GOOD_URL, SECRET_VALUE]));
    await rig.caughtUp();
    expect(rig.refused.slice(before)).toEqual([]);
    const source = (await rig.secondary.get(parseIdentifier(healthy, 'text').key))!.values.find(
      (v) => v.type === 'HS_SECKEY',
    );
    expect(source).toMatchObject({ data: sealed });
    expect(await secretOf(healthy)).toEqual(source);
    expect(await traceText(healthy)).not.toContain(PLANTED_SECRET);
  });

  it('nowhere in the whole store, after every path ran', async () => {
    expect(JSON.stringify(await allChanges(node.ctx.store))).not.toContain(PLANTED_SECRET);
  });
});

/*
 * Prefix approval. An application carries no client values: its fields are the company name,
 * the credit code, a contact and the wanted prefix. On approval the registry writes two records
 * whose values it makes itself (0.NA/<prefix>: HS_ADMIN and IDN_PREFIX_OWNER {applicationId,
 * companyName, creditCode}; <prefix>/ADMIN: HS_ADMIN and a fresh HS_SECKEY). So no row of the
 * table can be sent through it; what is tested is what it does carry: bad application fields
 * are refused with their codes storing nothing, and what an approval stores passes every value
 * rule, keeps the applicant's data out of public values and the issued secret only sealed.
 */

const APPLICATIONS = '/api/admin/prefix-applications';
const first17 = '91350100M000100Y4';
const CREDIT_CODE = `${first17}${creditCodeCheckChar(first17)}`;
const WRONG_CHECK = `${first17}${creditCodeCheckChar(first17) === '0' ? '1' : '0'}`;
const application = (over: Record<string, unknown> = {}) => ({
  companyName: '示例电池有限公司',
  creditCode: CREDIT_CODE,
  contact: { name: 'Li Lei', email: 'li.lei@example.com' },
  ...over,
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const BAD_APPLICATIONS: readonly (readonly [string, Record<string, unknown>, string])[] = [
  ['empty company name', { companyName: '' }, 'IDN_ERR_INVALID_RECORD'],
  ['blank company name', { companyName: '   ' }, 'IDN_ERR_INVALID_APPLICATION'],
  ['oversized company name', { companyName: 'x'.repeat(201) }, 'IDN_ERR_INVALID_RECORD'],
  ['credit code with a wrong check character', { creditCode: WRONG_CHECK }, 'IDN_ERR_INVALID_CREDIT_CODE'],
  ['contact without e-mail or phone', { contact: { name: 'Li Lei' } }, 'IDN_ERR_INVALID_APPLICATION'],
  ['requested prefix with a URL scheme', { requestedPrefix: 'javascript:alert(1)' }, 'IDN_ERR_PREFIX_CHARACTER'],
  ['requested prefix two levels down', { requestedPrefix: `${P}.3.4` }, 'IDN_ERR_PREFIX_NOT_DELEGABLE'],
  ['requested prefix outside the parent', { requestedPrefix: '77.1' }, 'IDN_ERR_PREFIX_NOT_DELEGABLE'],
  ['requested prefix that exists', { requestedPrefix: SCHEMA_P }, 'IDN_ERR_PREFIX_TAKEN'],
];

describe('prefix approval', () => {
  it.each(BAD_APPLICATIONS)('refuses an application with %s (%o) as %s, storing nothing', async (_n, over, code) => {
    const seq = await node.ctx.store.lastSeq();
    const r = await post(APPLICATIONS, application(over));
    expect(r.body.code).toBe(code);
    expect(await node.ctx.store.lastSeq()).toBe(seq);
  });

  it('an approval stores only values that pass every value rule, the secret sealed, the applicant not public', async () => {
    const seq = await node.ctx.store.lastSeq();
    const applied = await post(APPLICATIONS, application({ requestedPrefix: `${P}.3` }));
    expect(applied.status).toBe(201);
    const approved = await post(`${APPLICATIONS}/${String(applied.body.id)}/approve`, {}, { authorization: auth() });
    expect(approved.status).toBe(200);
    const secret = (approved.body.admin as { secret: string }).secret;
    const written = await changesAfter(node.ctx.store, seq);
    const records = written.filter((e) => !e.key.startsWith('0.reg/'));
    expect(records.map((e) => e.key).sort()).toEqual([`0.na/${P}.3`, `${P}.3/admin`]);
    for (const e of records) {
      // The value rules accept every stored value (secrets in their stored, sealed form).
      checkValueShapes(e.record.values, e.key);
      const values = e.record.values as unknown as readonly ValueInput[];
      expect(() => validateValues(values, e.at, e.key, 'stored')).not.toThrow();
    }
    expect(JSON.stringify(written)).not.toContain(secret);
    const admin = records.find((e) => e.key === `${P}.3/admin`)!.record.values.find((v) => v.type === 'HS_SECKEY');
    expect(admin).toMatchObject({ access: 'authority', data: { format: 'sealed' } });
    const anonymous = await (await fetch(`${node.url}/api/handles/0.NA/${P}.3`)).text();
    expect(anonymous).not.toContain('示例电池有限公司');
  });
});
