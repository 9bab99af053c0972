import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, HandleRc, type ErrorCode } from '../../src/errors/codes.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** Handle.Net v9 REST behaviour as a client sees it over real HTTP. */

interface Reply {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

interface Call {
  method?: string;
  query?: string;
  auth?: string;
  headers?: Record<string, string>;
  body?: string;
}

let node: TestNode;
let admin5: string;

async function api(handle: string, c: Call = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...(c.auth ? { authorization: c.auth } : {}), ...c.headers };
  if (c.body !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${node.url}/api/handles/${handle}${c.query ?? ''}`, {
    method: c.method ?? 'GET',
    headers,
    ...(c.body === undefined ? {} : { body: c.body }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** An error answer exactly as the error table says: HTTP status, Handle responseCode, code and a message. */
function expectError(r: Reply, code: ErrorCode): void {
  expect(r.body.code).toBe(code);
  expect(r.status).toBe(ERRORS[code].http);
  expect(r.body.responseCode).toBe(ERRORS[code].rc);
  expect(typeof r.body.message).toBe('string');
  expect((r.body.message as string).length).toBeGreaterThan(0);
}

const indexes = (r: Reply): number[] => (r.body.values as { index: number }[]).map((v) => v.index);
const valueAt = (r: Reply, i: number) =>
  (r.body.values as { index: number; data: { format: string; value: unknown } }[]).find((v) => v.index === i);
const str = (index: number, type: string, value: string, extra: Record<string, unknown> = {}) => ({
  index,
  type,
  data: { format: 'string', value },
  ...extra,
});

async function create(handle: string, values: unknown[]): Promise<void> {
  const put = await putRecord(node.url, handle, values, admin5);
  expect(put.status, JSON.stringify(put.body)).toBe(201);
}

beforeAll(async () => {
  node = await startTestNode();
  admin5 = node.adminAuth('88.100.5');
});
afterAll(() => node.close());

describe('resolution (GET /api/handles/{id})', () => {
  it('answers {responseCode:1, handle, values} and keeps the registered spelling for a case-insensitive lookup', async () => {
    await create('88.100.5/Bat-1', [urlValue(1, 'https://example.com/bat-1')]);
    const r = await api('88.100.5/BAT-1');
    expect(r.status).toBe(200);
    expect(r.body.responseCode).toBe(1);
    expect(r.body.handle).toBe('88.100.5/Bat-1');
    expect(valueAt(r, 1)?.data).toEqual({ format: 'string', value: 'https://example.com/bat-1' });
  });

  it('resolves an NFD-spelt identifier to the NFC-registered one', async () => {
    await create('88.100.5/caf%C3%A9-1', [urlValue(1, 'https://example.com/cafe')]);
    const r = await api('88.100.5/cafe%CC%81-1');
    expect(r.status).toBe(200);
    expect(r.body.handle).toBe('88.100.5/caf\u00e9-1');
  });

  describe('index and type filters', () => {
    beforeAll(() =>
      create('88.100.5/FILTER-1', [
        urlValue(1, 'https://example.com/f1'),
        str(2, 'EMAIL', 'ops@example.com'),
        str(3, 'URL.ALT', 'https://example.com/alt'),
        str(4, 'DESC', 'a battery'),
      ]),
    );

    it('keeps the values named by repeated index= parameters', async () => {
      const r = await api('88.100.5/FILTER-1', { query: '?index=1&index=4' });
      expect(r.body.responseCode).toBe(1);
      expect(indexes(r)).toEqual([1, 4]);
    });

    it('keeps the values named by repeated type= parameters, case-insensitively', async () => {
      const r = await api('88.100.5/FILTER-1', { query: '?type=email&type=DESC' });
      expect(indexes(r)).toEqual([2, 4]);
    });

    it('treats type=X. as X and its subtypes X.*', async () => {
      const r = await api('88.100.5/FILTER-1', { query: '?type=URL.' });
      expect(indexes(r)).toEqual([1, 3]);
    });

    it('answers HTTP 200 with responseCode 200 and no values when the filters match nothing', async () => {
      for (const query of ['?index=99', '?type=NOPE', '?index=99&type=NOPE']) {
        const r = await api('88.100.5/FILTER-1', { query });
        expect(r.status).toBe(200);
        expect(r.body).toMatchObject({
          responseCode: HandleRc.VALUES_NOT_FOUND,
          handle: '88.100.5/FILTER-1',
          values: [],
        });
      }
    });
  });

  describe('access tiers', () => {
    beforeAll(() =>
      create('88.100.5/PRIV-1', [
        urlValue(1, 'https://example.com/p1'),
        str(2, 'DESC', 'dealer price list', { access: 'legitimate-interest' }),
        str(3, 'DESC', 'recall contact', { access: 'authority' }),
        { index: 301, type: 'HS_SECKEY', data: { format: 'string', value: 'a-long-record-secret' } },
      ]),
    );

    it('hides non-public values from anonymous readers', async () => {
      const r = await api('88.100.5/PRIV-1');
      expect(indexes(r)).toEqual([1, 100]);
      expect(JSON.stringify(r.body)).not.toContain('dealer price list');
      expect(r.headers.get('cache-control')).toMatch(/^public/);
    });

    it("shows them to the record's admin, privately cached", async () => {
      const r = await api('88.100.5/PRIV-1', { auth: admin5 });
      expect(indexes(r)).toEqual([1, 2, 3, 100, 301]);
      expect(r.headers.get('cache-control')).toContain('no-store');
    });

    it("hides them from another prefix's admin", async () => {
      const r = await api('88.100.5/PRIV-1', { auth: node.adminAuth('88.100.6') });
      expect(indexes(r)).toEqual([1, 100]);
    });

    it('hides them from the admin with publicOnly=true', async () => {
      const r = await api('88.100.5/PRIV-1', { auth: admin5, query: '?publicOnly=true' });
      expect(indexes(r)).toEqual([1, 100]);
    });

    it('never shows HS_SECKEY data, not even to the admin', async () => {
      const r = await api('88.100.5/PRIV-1', { auth: admin5 });
      expect(valueAt(r, 301)?.data).toEqual({ format: 'redacted', value: null });
      expect(JSON.stringify(r.body)).not.toContain('a-long-record-secret');
      expect(JSON.stringify(r.body)).not.toContain('scrypt');
      const adminRecord = await api('88.100.5/ADMIN', { auth: admin5 });
      expect(valueAt(adminRecord, 300)?.data).toEqual({ format: 'redacted', value: null });
    });
  });

  it('answers 404 / responseCode 100 / IDN_ERR_NOT_FOUND for an unknown identifier', async () => {
    const r = await api('88.100.5/NO-SUCH-THING');
    expectError(r, 'IDN_ERR_NOT_FOUND');
    expect(r.status).toBe(404);
    expect(r.body.responseCode).toBe(100);
    expect(r.body.handle).toBe('88.100.5/NO-SUCH-THING');
  });

  it('answers responseCode 301 for a prefix this node does not home', async () => {
    const r = await api('99.1/x');
    expectError(r, 'IDN_ERR_NOT_RESPONSIBLE');
    expect(r.body.responseCode).toBe(301);
  });

  it('rejects a non-numeric index= with IDN_ERR_INVALID_QUERY', async () => {
    await create('88.100.5/Q-1', [urlValue(1, 'https://example.com/q')]);
    expectError(await api('88.100.5/Q-1', { query: '?index=abc' }), 'IDN_ERR_INVALID_QUERY');
    expectError(await api('88.100.5/Q-1', { query: '?index=1&index=x' }), 'IDN_ERR_INVALID_QUERY');
    expectError(
      await api('88.100.5/Q-1', { query: '?index=abc', method: 'DELETE', auth: admin5 }),
      'IDN_ERR_INVALID_QUERY',
    );
  });
});

describe('registration (PUT / DELETE /api/handles/{id})', () => {
  it('creates with 201, Location and ETag, then replaces a read-modified record with 200', async () => {
    const created = await putRecord(node.url, '88.100.5/NEW-1', [urlValue(1, 'https://example.com/a')], admin5);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ responseCode: 1, handle: '88.100.5/NEW-1' });
    expect(created.headers.get('etag')).toMatch(/^"\d+"$/);
    const location = created.headers.get('location') ?? '';
    const read = await fetch(new URL(location, node.url), { headers: { authorization: admin5 } });
    expect(read.status).toBe(200);
    const record = (await read.json()) as { values: { index: number; data: unknown }[] };
    record.values[0]!.data = { format: 'string', value: 'https://example.com/b' };
    const replaced = await putRecord(node.url, '88.100.5/NEW-1', record.values, admin5);
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('location')).toBeNull();
    expect(valueAt(await api('88.100.5/NEW-1'), 1)?.data.value).toBe('https://example.com/b');
  });

  it('a replacement without HS_ADMIN values keeps the administrators', async () => {
    await create('88.100.5/NEW-3', [urlValue(1, 'https://example.com/a')]);
    const r = await putRecord(node.url, '88.100.5/NEW-3', [urlValue(1, 'https://example.com/b')], admin5);
    expect(r.status).toBe(200);
    const read = await api('88.100.5/NEW-3');
    expect(valueAt(read, 1)?.data.value).toBe('https://example.com/b');
    expect(valueAt(read, 100)?.data.format).toBe('admin');
    const again = await putRecord(node.url, '88.100.5/NEW-3', [urlValue(1, 'https://example.com/c')], admin5);
    expect(again.status).toBe(200);
  });

  it('refuses overwrite=false on an existing record with 409 / responseCode 101', async () => {
    await create('88.100.5/NEW-2', [urlValue(1, 'https://example.com/a')]);
    const r = await putRecord(
      node.url,
      '88.100.5/NEW-2',
      [urlValue(1, 'https://example.com/x')],
      admin5,
      '?overwrite=false',
    );
    expectError({ ...r }, 'IDN_ERR_ALREADY_EXISTS');
    expect(r.body.responseCode).toBe(101);
    expect(valueAt(await api('88.100.5/NEW-2'), 1)?.data.value).toBe('https://example.com/a');
  });

  it('PUT ?index=2 adds or replaces only that value', async () => {
    await create('88.100.5/IDX-1', [urlValue(1, 'https://example.com/1'), str(2, 'DESC', 'old')]);
    const body = [urlValue(1, 'https://example.com/IGNORED'), str(2, 'DESC', 'new')];
    expect((await putRecord(node.url, '88.100.5/IDX-1', body, admin5, '?index=2')).status).toBe(200);
    let r = await api('88.100.5/IDX-1');
    expect(valueAt(r, 1)?.data.value).toBe('https://example.com/1');
    expect(valueAt(r, 2)?.data.value).toBe('new');
    expect((await putRecord(node.url, '88.100.5/IDX-1', [str(5, 'DESC', 'added')], admin5, '?index=5')).status).toBe(
      200,
    );
    r = await api('88.100.5/IDX-1');
    expect(indexes(r)).toEqual([1, 2, 5, 100]);
  });

  it('DELETE ?index=2 removes one value; a missing index is 400 / responseCode 200', async () => {
    await create('88.100.5/IDX-2', [urlValue(1, 'https://example.com/1'), str(2, 'DESC', 'gone soon')]);
    const del = await api('88.100.5/IDX-2', { method: 'DELETE', query: '?index=2', auth: admin5 });
    expect(del.status).toBe(200);
    expect(indexes(await api('88.100.5/IDX-2'))).toEqual([1, 100]);
    const missing = await api('88.100.5/IDX-2', { method: 'DELETE', query: '?index=2', auth: admin5 });
    expectError(missing, 'IDN_ERR_VALUE_NOT_FOUND');
    expect([missing.status, missing.body.responseCode]).toEqual([400, 200]);
  });

  it('DELETE answers 404 / responseCode 100 afterwards (as Handle), and a PUT creates the name anew', async () => {
    await create('88.100.5/DEL-1', [urlValue(1, 'https://example.com/1')]);
    const deleted = await api('88.100.5/del-1', { method: 'DELETE', auth: admin5 });
    expect(deleted.status).toBe(200);
    const gone = await api('88.100.5/DEL-1');
    expectError(gone, 'IDN_ERR_NOT_FOUND');
    const detail = gone.body.detail as { deleted?: unknown; deletedAt?: unknown };
    expect([detail.deleted, typeof detail.deletedAt]).toEqual([true, 'string']);
    // A second delete and a value removal find nothing, as for a name never registered.
    expectError(await api('88.100.5/DEL-1', { method: 'DELETE', auth: admin5 }), 'IDN_ERR_NOT_FOUND');
    expectError(
      await api('88.100.5/DEL-1', { method: 'DELETE', query: '?index=1', auth: admin5 }),
      'IDN_ERR_NOT_FOUND',
    );
    const again = await putRecord(node.url, '88.100.5/Del-1', [urlValue(1, 'https://example.com/2')], admin5);
    expect(again.status).toBe(201);
    // The DELETE answered the tombstone's version; the new record counts on: old ETags never name it.
    expect(again.body.version).toBe((deleted.body.version as number) + 1);
    const back = await api('88.100.5/DEL-1');
    expect([back.status, valueAt(back, 1)?.data.value]).toEqual([200, 'https://example.com/2']);
    expect(back.headers.get('etag')).toBe(`"${again.body.version as number}-p"`);
  });

  it('DELETE of an unknown identifier is 404', async () => {
    expectError(await api('88.100.5/NEVER-1', { method: 'DELETE', auth: admin5 }), 'IDN_ERR_NOT_FOUND');
  });

  describe('ETag and conditional requests', () => {
    it('fails a write with a stale If-Match with 412 and applies one with the current ETag', async () => {
      const first = await putRecord(node.url, '88.100.5/ETAG-1', [urlValue(1, 'https://example.com/1')], admin5);
      const stale = first.headers.get('etag') ?? '';
      await putRecord(node.url, '88.100.5/ETAG-1', [urlValue(1, 'https://example.com/2')], admin5, '?index=1');
      const lost = await putRecord(
        node.url,
        '88.100.5/ETAG-1',
        [urlValue(1, 'https://example.com/3')],
        admin5,
        '?index=1',
        {
          'if-match': stale,
        },
      );
      expectError(lost, 'IDN_ERR_VERSION_MISMATCH');
      expect(lost.status).toBe(412);
      const current = (await api('88.100.5/ETAG-1')).headers.get('etag') ?? '';
      const won = await putRecord(
        node.url,
        '88.100.5/ETAG-1',
        [urlValue(1, 'https://example.com/4')],
        admin5,
        '?index=1',
        {
          'if-match': current,
        },
      );
      expect(won.status).toBe(200);
      expect(valueAt(await api('88.100.5/ETAG-1'), 1)?.data.value).toBe('https://example.com/4');
    });

    it('answers 304 to If-None-Match with the current ETag, 200 once the record changed', async () => {
      await create('88.100.5/ETAG-2', [urlValue(1, 'https://example.com/1')]);
      const etag = (await api('88.100.5/ETAG-2')).headers.get('etag') ?? '';
      expect(etag).not.toBe('');
      const same = await fetch(`${node.url}/api/handles/88.100.5/ETAG-2`, { headers: { 'if-none-match': etag } });
      expect(same.status).toBe(304);
      expect(
        (await putRecord(node.url, '88.100.5/ETAG-2', [urlValue(1, 'https://example.com/2')], admin5, '?index=1'))
          .status,
      ).toBe(200);
      const changed = await fetch(`${node.url}/api/handles/88.100.5/ETAG-2`, { headers: { 'if-none-match': etag } });
      expect(changed.status).toBe(200);
    });
  });
});

describe('request body validation', () => {
  const put = (handle: string, body: string, headers: Record<string, string> = {}, query = '') =>
    api(handle, { method: 'PUT', auth: admin5, body, headers, query });
  const values = (...v: unknown[]) => JSON.stringify({ values: v });

  it('rejects JSON that does not parse with 400 IDN_ERR_MALFORMED_BODY', async () => {
    expectError(await put('88.100.5/B-1', '{"values": [}'), 'IDN_ERR_MALFORMED_BODY');
  });

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded'])(
    'rejects a body sent as %s with 415',
    async (type) => {
      const r = await put('88.100.5/B-2', values(urlValue(1, 'https://example.com')), { 'content-type': type });
      expectError(r, 'IDN_ERR_UNSUPPORTED_MEDIA_TYPE');
      expect(r.status).toBe(415);
    },
  );

  it('rejects a body over the limit with 413', async () => {
    const big = values(str(1, 'DESC', 'x'.repeat(300 * 1024)));
    const r = await put('88.100.5/B-3', big);
    expectError(r, 'IDN_ERR_BODY_TOO_LARGE');
    expect(r.status).toBe(413);
  });

  it('rejects two values with one index', async () => {
    const r = await put('88.100.5/B-4', values(urlValue(1, 'https://example.com/a'), str(1, 'DESC', 'b')));
    expectError(r, 'IDN_ERR_DUPLICATE_INDEX');
  });

  it('accepts any type at any index (Handle): a URL at 100, an HS_ADMIN at 1 (with a layout warning)', async () => {
    const url100 = await put('88.100.5/B-5', values(urlValue(100, 'https://example.com/a')));
    expect(url100.status).toBe(201);
    expect(url100.headers.get('x-idnode-warning')).toBeNull();
    // The default HS_ADMIN the creator gets moves to the next free index.
    const stored = await api('88.100.5/B-5');
    expect(stored.body.values).toMatchObject([
      { index: 100, type: 'URL' },
      { index: 101, type: 'HS_ADMIN', data: { value: { handle: '88.100.5/ADMIN', index: 300 } } },
    ]);
    const admin = {
      index: 1,
      type: 'HS_ADMIN',
      data: { format: 'admin', value: { handle: '88.100.5/ADMIN', index: 300, permissions: '111111111111' } },
    };
    const odd = await put('88.100.5/B-6', values(admin));
    expect(odd.status).toBe(201);
    expect(odd.headers.get('x-idnode-warning')).toBe(
      'values[0]: HS_ADMIN at index 1 (idnode keeps HS_ADMIN at 100-199)',
    );
    // It is an admin by its type: the record answers to it.
    const mod = await put('88.100.5/B-6', values(urlValue(2, 'https://example.com/b')), {}, '?index=2');
    expect(mod.status).toBe(200);
  });

  it('rejects a javascript: URL and names the failing value in the message', async () => {
    const r = await put('88.100.5/B-7', values(str(1, 'DESC', 'ok'), urlValue(2, 'javascript:alert(1)')));
    expectError(r, 'IDN_ERR_INVALID_VALUE');
    expect(r.body.message).toContain('values[1].data');
    expect((await api('88.100.5/B-7')).status).toBe(404);
  });

  it('rejects a body that breaks the schema with IDN_ERR_INVALID_RECORD naming the path', async () => {
    const r = await put('88.100.5/B-8', JSON.stringify({ values: [{ index: 'one', type: 'URL', data: 'x' }] }));
    expectError(r, 'IDN_ERR_INVALID_RECORD');
    expect(r.body.message).toContain('/values/0');
  });
});

/** Handle.Net's mapping of response codes to HTTP statuses, as clients of a Handle server rely on it. */
const HANDLE_HTTP: Partial<Record<number, readonly number[]>> = {
  [HandleRc.SUCCESS]: [200],
  // Busy for everyone (503) or for this client (429, rate limited).
  [HandleRc.SERVER_BUSY]: [503, 429],
  [HandleRc.PROTOCOL_ERROR]: [400],
  [HandleRc.RECUR_LIMIT_EXCEEDED]: [508],
  [HandleRc.HANDLE_NOT_FOUND]: [404, 410],
  [HandleRc.HANDLE_ALREADY_EXISTS]: [409],
  [HandleRc.INVALID_HANDLE]: [400],
  [HandleRc.VALUES_NOT_FOUND]: [200, 400],
  [HandleRc.VALUE_ALREADY_EXISTS]: [409],
  [HandleRc.INVALID_VALUE]: [400],
  [HandleRc.SERVER_NOT_RESPONSIBLE]: [400, 404],
  [HandleRc.NOT_AUTHORIZED]: [403],
  [HandleRc.ACCESS_DENIED]: [403],
  [HandleRc.AUTHENTICATION_NEEDED]: [401],
  [HandleRc.AUTHENTICATION_FAILED]: [401],
  [HandleRc.INVALID_CREDENTIAL]: [400, 401],
};

describe('the error table', () => {
  it.each(Object.entries(ERRORS))('%s maps its Handle responseCode to the HTTP status Handle uses', (_code, spec) => {
    const allowed = HANDLE_HTTP[spec.rc];
    if (spec.rc === HandleRc.ERROR) {
      // The generic error: the transport picks the status, but it is always an error status.
      expect(spec.http).toBeGreaterThanOrEqual(400);
    } else if (spec.rc === HandleRc.OPERATION_DENIED) {
      // A refused operation is the client's to fix: some 4xx (409 conflict, 412 precondition, ...).
      expect(spec.http).toBeGreaterThanOrEqual(400);
      expect(spec.http).toBeLessThan(500);
    } else {
      expect(allowed, `responseCode ${spec.rc} has no Handle HTTP mapping`).toBeDefined();
      expect(allowed).toContain(spec.http);
    }
    expect(spec.message.length).toBeGreaterThan(0);
  });
});
