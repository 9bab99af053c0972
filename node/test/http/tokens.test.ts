import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken } from '../../src/auth/bearer-token.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import { Perm, PERM_ALL, formatPermissions } from '../../src/records/permissions.ts';
import { basicAuth, putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** Bearer tokens from POST /api/tokens, over real HTTP against a real node. */

const P = '88.100.5';
const TOKEN_KEY = Buffer.alloc(32, 7); // the test node's token key (helpers/test-node.ts)

let node: TestNode;
let seq = 0;

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(method: string, path: string, auth?: string, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (auth !== undefined) headers.authorization = auth;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

const issue = (auth: string | undefined, body: Record<string, unknown> = {}) => call('POST', '/api/tokens', auth, body);
const bearer = (token: unknown): string => `Bearer ${String(token)}`;
const fresh = (): string => `${P}/TOK-${++seq}`;
const adminVersion = async (prefix = P): Promise<number> =>
  (await node.ctx.store.get(parseIdentifier(`${prefix}/ADMIN`, 'text').key))!.version;

beforeAll(async () => {
  node = await startTestNode([P, '88.100.6']);
});
afterAll(() => node.close());

describe('issuing', () => {
  it('issues a Bearer token for Basic admin credentials: 201 with token, type, subject and expiry', async () => {
    const before = Date.now();
    const res = await issue(node.adminAuth(P), { ttlSeconds: 600 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      token: expect.stringMatching(/^idn1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/) as unknown,
      tokenType: 'Bearer',
      subject: `300:${P}/ADMIN`,
      expiresAt: expect.any(String) as unknown,
    });
    const exp = Date.parse(res.body.expiresAt as string);
    expect(exp).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 600_000);
  });

  it('defaults to one hour', async () => {
    const res = await issue(node.adminAuth(P));
    expect(res.status).toBe(201);
    const ttl = Date.parse(res.body.expiresAt as string) - Date.now();
    expect(ttl).toBeGreaterThan(3_590_000);
    expect(ttl).toBeLessThanOrEqual(3_600_000);
  });

  it.each([
    ['ttl below the minimum', { ttlSeconds: 59 }],
    ['ttl above 30 days', { ttlSeconds: 30 * 86_400 + 1 }],
    ['permissions not 12 bits', { permissions: '0101' }],
    ['permissions not binary', { permissions: '01010101010x' }],
  ])('refuses a request with %s (400, no token)', async (_what, body) => {
    const res = await issue(node.adminAuth(P), body);
    expect(res.status).toBe(400);
    expect(res.body.token).toBeUndefined();
  });

  it('needs credentials (401 IDN_ERR_AUTH_REQUIRED) and refuses a wrong secret (401 IDN_ERR_AUTH_FAILED)', async () => {
    const anon = await issue(undefined);
    expect([anon.status, anon.body.code]).toEqual([401, 'IDN_ERR_AUTH_REQUIRED']);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic /);
    const wrong = await issue(node.adminAuth(P, 'wrong-secret-0000'));
    expect([wrong.status, wrong.body.code]).toEqual([401, 'IDN_ERR_AUTH_FAILED']);
  });

  it('a token cannot mint tokens (403), not even narrower ones', async () => {
    const { body } = await issue(node.adminAuth(P));
    const res = await issue(bearer(body.token), { permissions: formatPermissions(Perm.READ_VALUE) });
    expect([res.status, res.body.code]).toEqual([403, 'IDN_ERR_NOT_AUTHORIZED']);
    expect(res.body.token).toBeUndefined();
  });
});

describe('using', () => {
  it('a token writes like its admin: create, modify, delete', async () => {
    const { body } = await issue(node.adminAuth(P));
    const h = fresh();
    const created = await putRecord(node.url, h, [urlValue(1, 'https://example.com/a')], bearer(body.token));
    expect(created.status).toBe(201);
    const modified = await putRecord(
      node.url,
      h,
      [urlValue(1, 'https://example.com/b')],
      bearer(body.token),
      '?index=1',
    );
    expect(modified.status).toBe(200);
    expect((await call('DELETE', `/api/handles/${h}`, bearer(body.token))).status).toBe(200);
    expect((await call('GET', `/api/handles/${h}`)).status).toBe(404);
  });

  it('the record names the admin, not the token, as its HS_ADMIN', async () => {
    const { body } = await issue(node.adminAuth(P));
    const h = fresh();
    await putRecord(node.url, h, [urlValue(1, 'https://example.com/a')], bearer(body.token));
    const rec = await call('GET', `/api/handles/${h}?type=HS_ADMIN`);
    const admin = (rec.body.values as { data: { value: { handle: string; index: number } } }[])[0]!;
    expect(admin.data.value).toMatchObject({ handle: `${P}/ADMIN`, index: 300 });
  });

  it("a token of one prefix's admin has no rights under another prefix (403)", async () => {
    const { body } = await issue(node.adminAuth(P));
    const res = await putRecord(node.url, '88.100.6/TOK-X', [urlValue(1, 'https://example.com/x')], bearer(body.token));
    expect([res.status, res.body.code]).toEqual([403, 'IDN_ERR_NOT_AUTHORIZED']);
    expect(await node.ctx.store.get('88.100.6/tok-x')).toBeUndefined();
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['a tampered payload', 'tamper'],
    ['a token signed with another key', 'other-key'],
  ])('refuses %s (401 IDN_ERR_AUTH_FAILED)', async (_what, kind) => {
    const kv = await adminVersion();
    const claims = { sub: `300:${P}/ADMIN`, kv, perm: PERM_ALL, exp: Math.floor(Date.now() / 1000) + 600 };
    let token = 'not-a-token';
    if (kind === 'other-key') token = issueToken(Buffer.alloc(32, 8), claims);
    if (kind === 'tamper') {
      const narrow = await issue(node.adminAuth(P), { permissions: formatPermissions(Perm.READ_VALUE) });
      const [tag, , sig] = (narrow.body.token as string).split('.');
      token = `${tag}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
    }
    const h = fresh();
    const res = await putRecord(node.url, h, [urlValue(1, 'https://example.com/x')], bearer(token));
    expect([res.status, res.body.code]).toEqual([401, 'IDN_ERR_AUTH_FAILED']);
    expect(await node.ctx.store.get(h.toLowerCase())).toBeUndefined();
  });
});

describe('narrowing', () => {
  it('a read+modify token may modify a value and read non-public values, nothing else', async () => {
    const narrow = await issue(node.adminAuth(P), {
      permissions: formatPermissions(Perm.READ_VALUE | Perm.MODIFY_VALUE),
    });
    expect(narrow.status).toBe(201);
    const auth = bearer(narrow.body.token);
    const h = fresh();
    const hidden = { index: 2, type: 'EMAIL', data: 'ops@example.com', access: 'authority' };
    expect(
      (await putRecord(node.url, h, [urlValue(1, 'https://example.com/a'), hidden], node.adminAuth(P))).status,
    ).toBe(201);
    const key = parseIdentifier(h, 'text').key;
    const before = await node.ctx.store.get(key);

    // allowed
    expect((await putRecord(node.url, h, [urlValue(1, 'https://example.com/b')], auth, '?index=1')).status).toBe(200);
    const read = await call('GET', `/api/handles/${h}`, auth);
    expect((read.body.values as { index: number }[]).map((v) => v.index)).toContain(2);
    const after = await node.ctx.store.get(key);
    expect(after!.version).toBe(before!.version + 1);

    // refused, and nothing changes
    const refused = [
      await putRecord(node.url, h, [urlValue(3, 'https://example.com/c')], auth, '?index=3'),
      await call('DELETE', `/api/handles/${h}?index=2`, auth),
      await call('DELETE', `/api/handles/${h}`, auth),
      await putRecord(node.url, fresh(), [urlValue(1, 'https://example.com/n')], auth),
      await call('GET', `/api/handles?prefix=${P}`, auth),
    ];
    for (const r of refused) expect([r.status, r.body.code]).toEqual([403, 'IDN_ERR_NOT_AUTHORIZED']);
    expect(await node.ctx.store.get(key)).toEqual(after);
  });

  it('a token narrowed without READ_VALUE reads like the public', async () => {
    const narrow = await issue(node.adminAuth(P), { permissions: formatPermissions(Perm.MODIFY_VALUE) });
    const h = fresh();
    const hidden = { index: 2, type: 'EMAIL', data: 'ops@example.com', access: 'authority' };
    await putRecord(node.url, h, [urlValue(1, 'https://example.com/a'), hidden], node.adminAuth(P));
    const read = await call('GET', `/api/handles/${h}`, bearer(narrow.body.token));
    expect(read.status).toBe(200);
    expect((read.body.values as { index: number }[]).map((v) => v.index)).not.toContain(2);
  });

  it('narrowing cannot widen: a token asking for every bit still has only the admin rights', async () => {
    // Alice holds MODIFY_VALUE only on one record; a token with all twelve bits changes nothing about that.
    const alice = `${P}/ALICE-${++seq}`;
    const aliceSecret = 'alice-secret-0123456789';
    await putRecord(node.url, alice, [{ index: 300, type: 'HS_SECKEY', data: aliceSecret }], node.adminAuth(P));
    const h = fresh();
    const aliceAdmin = {
      index: 101,
      type: 'HS_ADMIN',
      data: {
        format: 'admin',
        value: { handle: alice, index: 300, permissions: formatPermissions(Perm.MODIFY_VALUE) },
      },
    };
    await putRecord(node.url, h, [urlValue(1, 'https://example.com/a'), aliceAdmin], node.adminAuth(P));
    const wide = await issue(basicAuth(`300:${alice}`, aliceSecret), { permissions: '111111111111' });
    expect(wide.status).toBe(201);
    const auth = bearer(wide.body.token);
    expect((await putRecord(node.url, h, [urlValue(1, 'https://example.com/b')], auth, '?index=1')).status).toBe(200);
    const escalate = await putRecord(
      node.url,
      h,
      [
        {
          ...aliceAdmin,
          data: { ...aliceAdmin.data, value: { ...aliceAdmin.data.value, permissions: '111111111111' } },
        },
      ],
      auth,
      '?index=101',
    );
    expect([escalate.status, escalate.body.code]).toEqual([403, 'IDN_ERR_NOT_AUTHORIZED']);
  });
});

describe('expiry', () => {
  it('an expired token is refused (401 IDN_ERR_AUTH_FAILED) and writes nothing', async () => {
    const kv = await adminVersion();
    const sub = `300:${P}/ADMIN`;
    const now = Math.floor(Date.now() / 1000);
    const live = issueToken(TOKEN_KEY, { sub, kv, perm: PERM_ALL, exp: now + 60 });
    const expired = issueToken(TOKEN_KEY, { sub, kv, perm: PERM_ALL, exp: now - 1 });
    // The same claims one minute from expiry work: only the expiry differs.
    expect((await putRecord(node.url, fresh(), [urlValue(1, 'https://example.com/a')], bearer(live))).status).toBe(201);
    const h = fresh();
    const res = await putRecord(node.url, h, [urlValue(1, 'https://example.com/a')], bearer(expired));
    expect([res.status, res.body.code]).toEqual([401, 'IDN_ERR_AUTH_FAILED']);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(await node.ctx.store.get(parseIdentifier(h, 'text').key)).toBeUndefined();
  });
});

describe('revocation', () => {
  it('rotating the admin secret revokes every token issued before; tokens issued after work', async () => {
    const prefix = '88.100.6';
    const oldAuth = node.adminAuth(prefix);
    const before = await issue(oldAuth);
    const narrowBefore = await issue(oldAuth, { permissions: formatPermissions(Perm.READ_VALUE) });
    expect(
      (await putRecord(node.url, `${prefix}/R-1`, [urlValue(1, 'https://example.com/1')], bearer(before.body.token)))
        .status,
    ).toBe(201);

    const newSecret = 'rotated-secret-for-88.100.6';
    const rotate = await putRecord(
      node.url,
      `${prefix}/ADMIN`,
      [{ index: 300, type: 'HS_SECKEY', data: newSecret }],
      oldAuth,
      '?index=300',
    );
    expect(rotate.status).toBe(200);

    for (const t of [before.body.token, narrowBefore.body.token]) {
      const res = await putRecord(node.url, `${prefix}/R-2`, [urlValue(1, 'https://example.com/2')], bearer(t));
      expect([res.status, res.body.code]).toEqual([401, 'IDN_ERR_AUTH_FAILED']);
    }
    expect(await node.ctx.store.get(`${prefix}/r-2`)).toBeUndefined();
    // The old secret no longer issues tokens; the new one does, and its tokens work.
    expect((await issue(oldAuth)).status).toBe(401);
    const after = await issue(node.adminAuth(prefix, newSecret));
    expect(after.status).toBe(201);
    expect(
      (await putRecord(node.url, `${prefix}/R-3`, [urlValue(1, 'https://example.com/3')], bearer(after.body.token)))
        .status,
    ).toBe(201);
  });

  it('a token bound to a key version that has since changed is refused even before expiry', async () => {
    const kv = (await adminVersion()) - 1;
    const stale = issueToken(TOKEN_KEY, {
      sub: `300:${P}/ADMIN`,
      kv,
      perm: PERM_ALL,
      exp: Math.floor(Date.now() / 1000) + 600,
    });
    const res = await putRecord(node.url, fresh(), [urlValue(1, 'https://example.com/a')], bearer(stale));
    expect([res.status, res.body.code]).toEqual([401, 'IDN_ERR_AUTH_FAILED']);
  });
});
