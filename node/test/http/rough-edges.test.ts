import { get as httpGet } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPermissions, PERM_NAMES_MSB_FIRST, permMaskOf } from '../../src/records/permissions.ts';
import type { Store } from '../../src/store/store.ts';
import { toStoreError } from '../../src/store/store-errors.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/* Messages and statuses a new user was misled by (issue 14), over real HTTP against a real LMDB node. */

let node: TestNode;
let admin5: string;
/** Which store calls fail, as a real store fails (a raw I/O error mapped by toStoreError). */
let outage: 'none' | 'reads-and-commits' | 'commits' = 'none';

/** The error a real store throws when its disk fails: a raw I/O error, mapped as every backend maps it. */
const ioFailure = () => toStoreError(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));

const failing = (prop: string | symbol): boolean =>
  outage === 'reads-and-commits' || (outage === 'commits' && prop === 'commit');

function withOutage(inner: Store): Store {
  return new Proxy(inner, {
    get(target, prop) {
      // The store itself as the receiver: its getters read private fields, which a proxy lacks.
      const real = Reflect.get(target, prop) as unknown;
      if (typeof real !== 'function') return real;
      const call = (real as (...a: unknown[]) => unknown).bind(target);
      // Reads come as get, getMany or (LMDB, on the request thread) getSync: each fails as the backend would.
      if (prop === 'getSync')
        return (...args: unknown[]) => {
          if (failing('get')) throw ioFailure();
          return call(...args);
        };
      const kind = prop === 'getMany' ? 'get' : prop;
      if (kind !== 'get' && kind !== 'commit') return call;
      return (...args: unknown[]) => (failing(kind) ? Promise.reject(ioFailure()) : call(...args));
    },
  });
}

const basic = (userAndSecret: string) => `Basic ${Buffer.from(userAndSecret).toString('base64')}`;

async function json(path: string, init: RequestInit = {}) {
  const res = await fetch(`${node.url}${path}`, init);
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    text,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

beforeAll(async () => {
  node = await startTestNode(['88.100.5'], { wrapStore: withOutage });
  admin5 = node.adminAuth('88.100.5');
  const put = await putRecord(
    node.url,
    '88.100.5/ROUGH-1',
    [urlValue(1, 'https://example.com/one'), urlValue(2, 'https://example.com/restricted', { access: 'authority' })],
    admin5,
  );
  expect(put.status).toBe(201);
});
afterAll(() => node.close());

describe('a store outage', () => {
  it('a read is not told "the change was not made"; a write is told what became of its change', async () => {
    outage = 'reads-and-commits';
    try {
      const read = await json('/api/handles/88.100.5/NEVER-READ-BEFORE');
      expect(read.status).toBe(503);
      expect(read.body.code).toBe('IDN_ERR_STORE_UNAVAILABLE');
      expect(read.body.message).not.toMatch(/change/);
      const write = await putRecord(node.url, '88.100.5/ROUGH-W', [urlValue(1, 'https://example.com/w')], admin5);
      expect(write.status).toBe(503);
      expect(write.body.message).toMatch(/the change was not made/);
      outage = 'commits';
      const lost = await putRecord(node.url, '88.100.5/ROUGH-W', [urlValue(1, 'https://example.com/w')], admin5);
      expect(lost.status).toBe(503);
      expect(lost.body.message).toMatch(/the change was not confirmed: read the identifier/);
    } finally {
      outage = 'none';
    }
  });
});

describe('credentials', () => {
  it('a literal colon in the Basic user says to encode it as %3A (not the form the user typed)', async () => {
    const r = await json('/api/handles/88.100.5/ROUGH-1?auth=true', {
      headers: { authorization: basic(`300:88.100.5/ADMIN:${node.secret}`) },
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('IDN_ERR_INVALID_CREDENTIAL');
    expect(r.body.message).toContain('%3A');
    expect(r.body.message).toContain('300%3A88.100.5/ADMIN:<secret>');
    expect(r.text).not.toContain(node.secret);
  });

  it('a narrowed token is refused for what the token lacks, not as the admin lacking a right', async () => {
    const t = await json('/api/tokens', {
      method: 'POST',
      headers: { authorization: admin5, 'content-type': 'application/json' },
      body: JSON.stringify({ permissions: '010000000000' }), // READ_VALUE only (MSB first)
    });
    expect(t.status).toBe(201);
    const put = await putRecord(
      node.url,
      '88.100.5/ROUGH-1',
      [urlValue(1, 'https://example.com/x')],
      `Bearer ${String(t.body.token)}`,
    );
    expect(put.status).toBe(403);
    expect(put.body.message).toMatch(/^The bearer token of 300:88.100.5\/ADMIN does not carry /);
    expect(put.body.message).toContain('issued with READ_VALUE');
    expect(put.body.message).not.toMatch(/ADMIN lacks/);
  });

  it('tokens take permission names too; an unknown name is refused by name', async () => {
    const ok = await json('/api/tokens', {
      method: 'POST',
      headers: { authorization: admin5, 'content-type': 'application/json' },
      body: JSON.stringify({ permissions: ['READ_VALUE', 'LIST_HANDLES'] }),
    });
    expect(ok.status).toBe(201);
    const bad = await json('/api/tokens', {
      method: 'POST',
      headers: { authorization: admin5, 'content-type': 'application/json' },
      body: JSON.stringify({ permissions: ['READ_VALUES'] }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('IDN_ERR_INVALID_BODY');
    expect(bad.body.message).toContain('"READ_VALUES" is not a right');
  });
});

describe('permission strings', () => {
  it('are read most significant bit first: the last character is ADD_HANDLE, the first LIST_HANDLES', () => {
    expect(PERM_NAMES_MSB_FIRST[0]).toBe('LIST_HANDLES');
    expect(PERM_NAMES_MSB_FIRST.at(-1)).toBe('ADD_HANDLE');
    expect(formatPermissions(permMaskOf(['ADD_HANDLE']))).toBe('000000000001');
    expect(formatPermissions(permMaskOf(['LIST_HANDLES']))).toBe('100000000000');
  });

  it('HS_ADMIN takes names and stores the Handle string (unchanged order); an unknown name is refused', async () => {
    const admin = (permissions: unknown) => ({
      index: 100,
      type: 'HS_ADMIN',
      data: { format: 'admin', value: { handle: '88.100.5/ADMIN', index: 300, permissions } },
    });
    const put = await putRecord(
      node.url,
      '88.100.5/ROUGH-ADM',
      [urlValue(1, 'https://example.com/adm'), admin(['ADD_HANDLE', 'READ_VALUE', 'MODIFY_VALUE'])],
      admin5,
    );
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    const read = await json('/api/handles/88.100.5/ROUGH-ADM?index=100', { headers: { authorization: admin5 } });
    const values = read.body.values as { data: { value: { permissions: string } } }[];
    expect(values[0]!.data.value.permissions).toBe('010000010001');
    const bad = await putRecord(node.url, '88.100.5/ROUGH-ADM2', [admin(['ADD_HANDLES'])], admin5);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('"ADD_HANDLES" is not a right');
  });
});

describe('bodies', () => {
  it('a route that takes no record does not answer "The record body is not valid"', async () => {
    const r = await json('/api/tokens', {
      method: 'POST',
      headers: { authorization: admin5, 'content-type': 'application/json' },
      body: JSON.stringify({ ttlSeconds: 'soon' }),
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('IDN_ERR_INVALID_BODY');
    expect(r.body.message).not.toContain('record');
    expect(r.body.message).toContain('ttlSeconds');
  });

  it('the record PUT still says its record is not valid', async () => {
    const r = await json('/api/handles/88.100.5/ROUGH-2', {
      method: 'PUT',
      headers: { authorization: admin5, 'content-type': 'application/json' },
      body: JSON.stringify({ values: 'none' }),
    });
    expect(r.body.code).toBe('IDN_ERR_INVALID_RECORD');
  });

  it('"exceeds the limit" names the limit', async () => {
    const r = await json('/api/handles/88.100.5/ROUGH-BIG', {
      method: 'PUT',
      headers: { authorization: admin5, 'content-type': 'application/json' },
      body: 'a'.repeat(3_000_000),
    });
    expect(r.status).toBe(413);
    expect(r.body.message).toMatch(/limit of \d+ bytes/);
    expect((r.body.detail as { limitBytes: number }).limitBytes).toBeGreaterThan(0);
  });
});

describe('routes', () => {
  it('POST on /api/handles/X is 405 with Allow and a code, whatever the body', async () => {
    for (const type of ['application/json', 'text/plain']) {
      const r = await json('/api/handles/88.100.5/ROUGH-1', {
        method: 'POST',
        headers: { 'content-type': type },
        body: '{}',
      });
      expect(r.status).toBe(405);
      expect(r.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE');
      expect(r.body.code).toBe('IDN_ERR_METHOD_NOT_ALLOWED');
    }
  });

  it('/favicon.ico is 204, no error page', async () => {
    const r = await json('/favicon.ico');
    expect(r.status).toBe(204);
    expect(r.text).toBe('');
  });

  it('?index= of a restricted value on the QR route: 404 with a code whose RC the error table maps to it', async () => {
    const res = await fetch(`${node.url}/88.100.5/ROUGH-1?index=2`, {
      redirect: 'manual',
      headers: { accept: 'application/json' },
    });
    const body = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(404);
    expect(body).toMatchObject({ responseCode: 2, code: 'IDN_ERR_NO_REDIRECT_TARGET' });
    expect(res.headers.get('location')).toBeNull();
  });
});

describe('GS1 Digital Link errors', () => {
  it('name positions in the path typed, not in the internal <prefix>/... identifier', async () => {
    // "01/09506000134352/21/%2E%2E": the "%2E%2E" segment starts at character 22 of what was typed.
    // node:http sends the path as written (fetch would collapse the dot segment first).
    const { port } = new URL(node.url);
    const r = await new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
      httpGet(
        { host: '127.0.0.1', port, path: '/01/09506000134352/21/%2E%2E', headers: { accept: 'application/json' } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }),
          );
        },
      ).on('error', reject);
    });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('IDN_ERR_DOT_SEGMENT');
    expect(r.body.message).toMatch(/at character 22\)/);
  });
});
