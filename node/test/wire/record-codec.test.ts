import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isIdnError } from '../../src/errors/idn-error.ts';
import { outcomeFromWire, outcomeToWire } from '../../src/federation/wire.ts';
import { MAX_INDEX } from '../../src/records/schema.ts';
import { ACCESS_TIERS, type HandleValue, type StoredRecord } from '../../src/records/types.ts';
import type { DerivedVia, Outcome } from '../../src/resolve/outcome.ts';
import { RenderMemo } from '../../src/resolve/render-memo.ts';
import type { ChangeEntry } from '../../src/store/store.ts';
import { entryFromWire, entryToWire } from '../../src/wire/change-codec.ts';
import { errorFromWire, errorToWire } from '../../src/wire/error-codec.ts';
import { recordFromWire, recordToWire, tierFromWire } from '../../src/wire/record-codec.ts';
import { resolutionService, syncService } from '../../../proto/load.ts';
import type { ChangeBatch__Output } from '../../../proto/generated/idnode/v1/ChangeBatch.generated.ts';
import type { ChangeEntry as WireEntry } from '../../../proto/generated/idnode/v1/ChangeEntry.generated.ts';
import type {
  ResolveResponse,
  ResolveResponse__Output,
} from '../../../proto/generated/idnode/v1/ResolveResponse.generated.ts';

/*
 * The one wire codec, through the exact bytes gRPC sends (the services' own serializers from
 * proto/load.ts): decode(encode(x)) deep-equals x for every record, value, tier and change
 * entry, and whatever a peer sends that this node does not know fails closed.
 */

const onWire = (res: ResolveResponse): ResolveResponse__Output =>
  resolutionService.Resolve.responseDeserialize(resolutionService.Resolve.responseSerialize(res));

const batchOnWire = (entries: WireEntry[]): ChangeBatch__Output =>
  syncService.Push.requestDeserialize(syncService.Push.requestSerialize({ nodeId: 'n', entries }));

const recordOnWire = (r: StoredRecord): StoredRecord => {
  const back = onWire({ status: 'RESOLVE_STATUS_GONE', record: recordToWire(r) }).record;
  return recordFromWire(back);
};

const iso = fc
  .date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString());

const FORMATS = ['string', 'admin', 'site', 'base64', 'hex', 'vlist', 'key', 'json', 'scrypt', 'redacted'];
const format = fc.oneof(fc.constantFrom(...FORMATS), fc.string({ minLength: 1, maxLength: 32 }));

// A value as the node holds it: parsed from JSON (the HTTP API) or from this codec, plain objects only.
const jsonValue = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
const plain = { noNullPrototype: true };

const value: fc.Arbitrary<HandleValue> = fc.record(
  {
    index: fc.integer({ min: 1, max: MAX_INDEX }),
    type: fc.oneof(fc.constantFrom('URL', 'LINK', 'HS_ADMIN', 'HS_SECKEY', 'KIND'), fc.string({ minLength: 1 })),
    data: fc.record({ format, value: jsonValue }, plain),
    ttl: fc.nat({ max: 2 ** 32 - 1 }),
    timestamp: iso,
    access: fc.constantFrom(...ACCESS_TIERS),
  },
  plain,
);

const values = fc.uniqueArray(value, { selector: (v) => v.index, maxLength: 8 });
const handle = fc.string({ minLength: 1, maxLength: 80 }).map((s) => `88.100.5/${s}`);

const live: fc.Arbitrary<StoredRecord> = fc.record(
  {
    handle,
    values,
    version: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    createdAt: iso,
    updatedAt: iso,
  },
  plain,
);

const tombstone: fc.Arbitrary<StoredRecord> = fc.record(
  {
    handle,
    values: fc.constant([]),
    version: fc.integer({ min: 2, max: Number.MAX_SAFE_INTEGER }),
    createdAt: iso,
    updatedAt: iso,
    deletedAt: iso,
  },
  plain,
);

const entry: fc.Arbitrary<ChangeEntry> = fc
  .record(
    {
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      key: fc.string({ minLength: 1, maxLength: 80 }),
      record: fc.oneof(live, tombstone),
      at: iso,
      actor: fc.string(),
      reason: fc.option(fc.string({ minLength: 1 }), { nil: undefined }),
    },
    plain,
  )
  .map(({ reason, record, ...e }) => {
    const base = {
      ...e,
      op: record.deletedAt === undefined ? ('put' as const) : ('delete' as const),
      version: record.version,
      previousVersion: record.version - 1,
      record,
    };
    return reason === undefined ? base : { ...base, reason };
  });

/** Runs fn and returns the IdnError code it threw (or 'no error'). */
function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'no error';
  } catch (e) {
    return isIdnError(e) ? e.code : `not coded: ${String(e)}`;
  }
}

describe('round trip through the gRPC bytes', () => {
  it('a record, live or tombstone, with values of every format and tier', () => {
    fc.assert(
      fc.property(fc.oneof(live, tombstone), (r) => {
        expect(recordOnWire(r)).toStrictEqual(r);
      }),
    );
  });

  it('a change entry, puts and deletes, with and without a reason', () => {
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 5 }), (es) => {
        const back = batchOnWire(es.map(entryToWire)).entries.map(entryFromWire);
        expect(back).toStrictEqual(es);
      }),
    );
  });

  it('a found answer keeps public values, provenance and the least ttl; others never leave the node', () => {
    const via = fc.option(fc.constantFrom<DerivedVia>('template', 'batch', 'model', 'enterprise'), { nil: undefined });
    fc.assert(
      fc.property(live, via, fc.boolean(), (record, resolvedVia, authoritative) => {
        const derived = resolvedVia === undefined ? {} : { resolvedVia, answeredBy: '88.100.5/SOURCE' };
        const o: Outcome = {
          kind: 'found',
          record,
          source: 'store',
          memo: new RenderMemo(),
          authoritative,
          ...derived,
        };
        const back = outcomeFromWire(onWire(outcomeToWire(o, 'r', 'home')));
        const sent = record.values.filter((v) => v.access === 'public');
        const least = Math.min(...record.values.map((v) => v.ttl));
        expect(back).toMatchObject({ kind: 'found', source: 'upstream', authoritative, ...derived });
        if (back.kind !== 'found') return;
        expect(back.record).toStrictEqual({ ...record, values: sent });
        expect(back.cacheTtl).toBe(record.values.length === 0 ? undefined : Math.max(1, least));
      }),
    );
  });

  it('not found and gone carry the negative ttl of the answering node', () => {
    fc.assert(
      fc.property(fc.option(tombstone, { nil: undefined }), fc.integer({ min: 1, max: 3600 }), (gone, neg) => {
        const o: Outcome =
          gone === undefined ? { kind: 'not-found', source: 'store' } : { kind: 'not-found', gone, source: 'store' };
        const back = outcomeFromWire(onWire(outcomeToWire(o, 'r', 'home', { negativeTtlSeconds: neg })));
        expect(back).toStrictEqual({
          kind: 'not-found',
          source: 'upstream',
          authoritative: true,
          cacheTtl: neg,
          ...(gone === undefined ? {} : { gone }),
        });
      }),
    );
  });

  it('a coded error with its detail', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), jsonValue, plain), fc.string({ minLength: 1 }), (detail, message) => {
        expect(errorToWire(new Error('a bug, not a coded error')).code).toBe('IDN_ERR_INTERNAL');
        const e = errorFromWire(
          onWire({
            status: 'RESOLVE_STATUS_ERROR',
            error: { code: 'IDN_ERR_GONE', message, detailJson: JSON.stringify(detail) },
          }).error,
        );
        expect([e.code, e.message, e.detail]).toStrictEqual(['IDN_ERR_GONE', message, detail]);
      }),
    );
  });
});

describe('fails closed', () => {
  const withTier = (access: unknown): ResolveResponse__Output => {
    const v = { index: 1, type: 'DPP', data: { format: 'string', json: '"secret"' }, ttl: 60, timestamp: '' };
    const record = { handle: '88.100.5/X', version: 1, values: [{ ...v, access }] };
    return onWire({ status: 'RESOLVE_STATUS_FOUND', record } as ResolveResponse);
  };

  it('an unspecified or unknown tier (name or number) is read as authority, never public', () => {
    const unknown = fc.oneof(
      fc.constant(0),
      fc.constant('ACCESS_TIER_UNSPECIFIED'),
      fc.integer({ min: 4, max: 2 ** 31 - 1 }),
      fc.integer({ min: -(2 ** 31), max: -1 }),
    );
    fc.assert(
      fc.property(unknown, (t) => {
        const o = outcomeFromWire(withTier(t));
        expect(o.kind === 'found' && o.record.values[0]?.access).toBe('authority');
      }),
    );
    fc.assert(
      fc.property(fc.anything(), (t) => {
        const known = ['ACCESS_TIER_PUBLIC', 1, 'ACCESS_TIER_LEGITIMATE_INTEREST', 2].includes(t as string | number);
        if (!known) expect(tierFromWire(t)).toBe('authority');
      }),
    );
  });

  it('an unknown operation or status is refused, not guessed', () => {
    fc.assert(
      fc.property(entry, fc.oneof(fc.constant(0), fc.integer({ min: 3, max: 2 ** 31 - 1 })), (e, op) => {
        const [w] = batchOnWire([{ ...entryToWire(e), op: op as never }]).entries;
        expect(codeOf(() => entryFromWire(w!))).toBe('IDN_ERR_PEER_MALFORMED');
      }),
    );
    fc.assert(
      fc.property(fc.oneof(fc.constant(0), fc.integer({ min: 6, max: 2 ** 31 - 1 })), (status) => {
        const o = outcomeFromWire(onWire({ status: status as never, servedBy: 'peer' }));
        expect(o.kind === 'error' && o.error.code).toBe('IDN_ERR_PEER_MALFORMED');
      }),
    );
  });

  it('value text that is not JSON is refused', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        fc.pre(!isJson(text));
        const record = {
          handle: '88.100.5/X',
          values: [{ index: 1, type: 'URL', data: { format: 'string', json: text } }],
        };
        const o = outcomeFromWire(onWire({ status: 'RESOLVE_STATUS_FOUND', record }));
        expect(o.kind === 'error' && o.error.code).toBe('IDN_ERR_PEER_MALFORMED');
      }),
    );
  });

  const v = (data: object, extra: object = {}) => ({ index: 1, type: 'URL', data, ...extra });
  const found = (record: object): ResolveResponse => ({ status: 'RESOLVE_STATUS_FOUND', record });
  const MALFORMED: [string, ResolveResponse][] = [
    ['found without a record', { status: 'RESOLVE_STATUS_FOUND' }],
    ['an empty handle', found({ handle: '', values: [] })],
    ['a value without data', found({ handle: 'h', values: [{ index: 1, type: 'URL' }] })],
    ['data without a payload', found({ handle: 'h', values: [v({ format: 'string' })] })],
    ['an empty format', found({ handle: 'h', values: [v({ format: '', json: '"x"' })] })],
    ['raw bytes for a string', found({ handle: 'h', values: [v({ format: 'string', raw: Buffer.from('x') })] })],
    ['index 0', found({ handle: 'h', values: [v({ format: 'string', json: '"x"' }, { index: 0 })] })],
    ['index above 2^31-1', found({ handle: 'h', values: [v({ format: 'string', json: '"x"' }, { index: 2 ** 31 })] })],
    ['an empty type', found({ handle: 'h', values: [v({ format: 'string', json: '"x"' }, { type: '' })] })],
    ['a tombstone with values', found({ handle: 'h', deletedAt: 'x', values: [v({ format: 'string', json: '"x"' })] })],
    ['found with a tombstone', found({ handle: 'h', deletedAt: '2025-01-01T00:00:00Z', values: [] })],
    ['gone without a tombstone', { status: 'RESOLVE_STATUS_GONE', record: { handle: 'h', values: [] } }],
    ['an unknown resolved_via', { ...found({ handle: 'h' }), resolvedVia: 'park', answeredBy: 'x/y' }],
    ['resolved_via without answered_by', { ...found({ handle: 'h' }), resolvedVia: 'batch' }],
    ['answered_by alone', { ...found({ handle: 'h' }), answeredBy: 'x/y' }],
    ['a referral without an address', { status: 'RESOLVE_STATUS_REFERRAL', referral: { prefix: '88.100' } }],
    ['an error without the error', { status: 'RESOLVE_STATUS_ERROR' }],
    [
      'an error detail that is not an object',
      { status: 'RESOLVE_STATUS_ERROR', error: { code: 'IDN_ERR_GONE', detailJson: '[1]' } },
    ],
  ];

  it.each(MALFORMED)('refuses %s with IDN_ERR_PEER_MALFORMED', (_what, res) => {
    const o = outcomeFromWire(onWire({ ...res, servedBy: 'secA' }));
    expect(o.kind === 'error' && [o.error.code, o.error.spec.http]).toStrictEqual(['IDN_ERR_PEER_MALFORMED', 502]);
    expect(o.kind === 'error' && o.error.message).toContain('answer of secA');
  });

  it('refuses a change whose parts contradict each other', () => {
    const put = entryToWire({
      seq: 7,
      key: '88.100.5/x',
      op: 'put',
      version: 2,
      previousVersion: 1,
      at: '',
      actor: 'a',
      record: { handle: '88.100.5/X', values: [], version: 2, createdAt: '', updatedAt: '' },
    });
    const bad: WireEntry[] = [
      { ...put, op: 'CHANGE_OP_DELETE' },
      { ...put, record: { ...put.record, deletedAt: '2025-01-01T00:00:00Z' } },
      { ...put, version: 3 },
      { ...put, record: null },
      { ...put, key: '' },
      { ...put, seq: 0 },
    ];
    for (const w of batchOnWire(bad).entries) expect(codeOf(() => entryFromWire(w))).toBe('IDN_ERR_PEER_MALFORMED');
    expect(codeOf(() => entryFromWire(batchOnWire([put]).entries[0]!))).toBe('no error');
  });

  it('reads raw bytes of byte-string formats as their text', () => {
    const bytes = Buffer.from([0, 1, 254, 255]);
    const rec = (format: string) => found({ handle: 'h', version: 1, values: [v({ format, raw: bytes })] });
    for (const [format, text] of [
      ['base64', bytes.toString('base64')],
      ['hex', '0001feff'],
    ]) {
      const o = outcomeFromWire(onWire(rec(format!)));
      expect(o.kind === 'found' && o.record.values[0]?.data).toStrictEqual({ format, value: text });
    }
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
