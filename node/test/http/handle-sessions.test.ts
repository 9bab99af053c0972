import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/records/secret-hash.ts';
import { parseIdentifier } from '../../src/identifier/index.ts';
import {
  basicAuth,
  noBackoff,
  putRecord,
  startTestNode,
  TEST_SECRET,
  urlValue,
  type TestNode,
} from '../helpers/test-node.ts';

/*
 * REST sessions, with a client written from Handle.Net 9's REST API description (the HS9
 * StandardHandleAuthenticator / HandleAuthorizationHeader as published, not idnode's server code):
 *   POST /api/sessions                        -> 201 {sessionId, nonce}
 *   PUT  /api/sessions/this  Authorization: Handle version="0", sessionId="…", id="300%3A<admin>",
 *        type="HS_SECKEY", cnonce="<b64>", alg="SHA256", signature="<b64>"
 *        where, for HS_SECKEY, signature = SHA-256(secret ‖ nonce ‖ cnonce ‖ secret) (HMAC-SHA256:
 *        HMAC(secret, nonce ‖ cnonce); PBKDF2-HMAC-SHA1: HMAC-SHA1(PBKDF2(secret, salt, it, len), nonce ‖ cnonce))
 *   any request with Authorization: Handle sessionId="…" is then the admin's.
 */

const P = '88.100.5';
const ADMIN = `300:${P}/ADMIN`;
let clock = 1_000_000;
let node: TestNode;

beforeAll(async () => {
  node = await startTestNode([P], {
    sessionClock: () => clock,
    sessions: { ttlMs: 600_000, max: 20 },
    // Wrong answers on purpose: the backoff has its own test (security/auth-backoff.test.ts).
    authLimiter: noBackoff(),
  });
});
afterAll(() => node?.close());

type Alg = 'SHA256' | 'HMAC-SHA256' | 'PBKDF2-HMAC-SHA1';

async function openSession(base = node.url): Promise<{ sessionId: string; nonce: Buffer; status: number }> {
  const res = await fetch(`${base}/api/sessions`, { method: 'POST' });
  const body = (await res.json()) as { sessionId: string; nonce: string };
  return { sessionId: body.sessionId, nonce: Buffer.from(body.nonce, 'base64'), status: res.status };
}

/** The Authorization: Handle header that answers the session's nonce with `secret`. */
function answerHeader(
  s: { sessionId: string; nonce: Buffer },
  id: string,
  secret: string,
  alg: Alg = 'SHA256',
): string {
  const key = Buffer.from(secret, 'utf8');
  const cnonce = randomBytes(16);
  const fields: Record<string, string> = {
    version: '0',
    sessionId: s.sessionId,
    id: encodeURIComponent(id),
    type: 'HS_SECKEY',
    cnonce: cnonce.toString('base64'),
    alg,
  };
  if (alg === 'SHA256') {
    fields.signature = createHash('sha256').update(key).update(s.nonce).update(cnonce).update(key).digest('base64');
  } else if (alg === 'HMAC-SHA256') {
    fields.signature = createHmac('sha256', key).update(s.nonce).update(cnonce).digest('base64');
  } else {
    const salt = randomBytes(16);
    const derived = pbkdf2Sync(key, salt, 10_000, 20, 'sha1');
    fields.signature = createHmac('sha1', derived).update(s.nonce).update(cnonce).digest('base64');
    Object.assign(fields, { salt: salt.toString('base64'), iterations: '10000', length: '160' });
  }
  return `Handle ${Object.entries(fields)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}`;
}

async function tokenWith(user: string, secret: string): Promise<number> {
  const res = await fetch(`${node.url}/api/tokens`, {
    method: 'POST',
    headers: { authorization: basicAuth(user, secret), 'content-type': 'application/json' },
    body: '{}',
  });
  return res.status;
}

const sessionHeader = (sessionId: string): string => `Handle sessionId="${sessionId}"`;

async function authenticate(header: string) {
  const res = await fetch(`${node.url}/api/sessions/this`, { method: 'PUT', headers: { authorization: header } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function login(id = ADMIN, secret = TEST_SECRET, alg: Alg = 'SHA256'): Promise<string> {
  const s = await openSession();
  const r = await authenticate(answerHeader(s, id, secret, alg));
  expect(r, JSON.stringify(r.body)).toMatchObject({ status: 200, body: { authenticated: true, id: ADMIN } });
  return s.sessionId;
}

const stored = async (handle: string) => node.store.get(parseIdentifier(handle, 'text').key);
const secretData = async (handle: string) => (await stored(handle))?.values.find((v) => v.type === 'HS_SECKEY')?.data;

describe('REST sessions (Handle.Net 9: POST /api/sessions, Authorization: Handle)', () => {
  it('opens a session with an id, a 16-byte nonce and its location', async () => {
    const res = await fetch(`${node.url}/api/sessions`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/api/sessions/this');
    const body = (await res.json()) as Record<string, string>;
    expect(body.sessionId).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(Buffer.from(body.nonce!, 'base64')).toHaveLength(16);
    expect(body).not.toHaveProperty('authenticated');
  });

  it.each(['SHA256', 'HMAC-SHA256', 'PBKDF2-HMAC-SHA1'] as const)(
    'an admin logs in with alg %s and creates a record with the session alone',
    async (alg) => {
      const sessionId = await login(ADMIN, TEST_SECRET, alg);
      const handle = `${P}/SESSION-${alg}`;
      const put = await putRecord(node.url, handle, [urlValue(1, 'https://example.com/s')], sessionHeader(sessionId));
      expect(put.status, JSON.stringify(put.body)).toBe(201);
      const admins = (await stored(handle))?.values.filter((v) => v.type === 'HS_ADMIN').map((v) => v.data.value);
      expect(admins).toEqual([expect.objectContaining({ handle: `${P}/ADMIN`, index: 300 })]);
      const me = await fetch(`${node.url}/api/sessions/this`, { headers: { authorization: sessionHeader(sessionId) } });
      expect(await me.json()).toMatchObject({ sessionId, authenticated: true, id: ADMIN });
    },
  );

  it('a session reads as its admin: the authority-tier secret shows (redacted) where anonymous readers see none', async () => {
    const sessionId = await login();
    const path = `${node.url}/api/handles/${P}/ADMIN`;
    const asAdmin = await (await fetch(path, { headers: { authorization: sessionHeader(sessionId) } })).text();
    const anonymous = await (await fetch(path)).text();
    expect(asAdmin).toContain('HS_SECKEY');
    expect(asAdmin).toContain('"redacted"');
    expect(anonymous).not.toContain('HS_SECKEY');
  });

  it('refuses a wrong secret, and the session stays unauthenticated', async () => {
    const s = await openSession();
    const r = await authenticate(answerHeader(s, ADMIN, 'not-the-secret-000'));
    expect(r).toMatchObject({ status: 401, body: { code: 'IDN_ERR_CHALLENGE_FAILED', responseCode: 403 } });
    const put = await putRecord(
      node.url,
      `${P}/SESSION-WRONG`,
      [urlValue(1, 'https://example.com/w')],
      sessionHeader(s.sessionId),
    );
    expect(put).toMatchObject({ status: 401, body: { code: 'IDN_ERR_AUTH_REQUIRED' } });
    expect(await stored(`${P}/SESSION-WRONG`)).toBeUndefined();
  });

  it('ends a session after five wrong answers (no guessing against one nonce)', async () => {
    const s = await openSession();
    for (let i = 0; i < 5; i++) {
      expect((await authenticate(answerHeader(s, ADMIN, `wrong-secret-${i}-000`))).body.code).toBe(
        'IDN_ERR_CHALLENGE_FAILED',
      );
    }
    expect((await authenticate(answerHeader(s, ADMIN, TEST_SECRET))).body.code).toBe('IDN_ERR_SESSION_EXPIRED');
  });

  it('refuses an expired session', async () => {
    const sessionId = await login();
    clock += 600_001;
    const put = await putRecord(
      node.url,
      `${P}/SESSION-LATE`,
      [urlValue(1, 'https://example.com/l')],
      sessionHeader(sessionId),
    );
    expect(put).toMatchObject({ status: 401, body: { code: 'IDN_ERR_SESSION_EXPIRED', responseCode: 402 } });
    expect(String(put.body.message)).toContain('POST /api/sessions');
  });

  it('DELETE /api/sessions/this ends the session', async () => {
    const sessionId = await login();
    const del = await fetch(`${node.url}/api/sessions/this`, {
      method: 'DELETE',
      headers: { authorization: sessionHeader(sessionId) },
    });
    expect(del.status).toBe(204);
    const put = await putRecord(
      node.url,
      `${P}/SESSION-GONE`,
      [urlValue(1, 'https://example.com/g')],
      sessionHeader(sessionId),
    );
    expect(put.body.code).toBe('IDN_ERR_SESSION_EXPIRED');
  });

  it.each([
    ['no sessionId', `Handle id="300%3A${P}%2FADMIN"`, 'sessionId'],
    ['an unknown version', 'Handle version="7", sessionId="x"', 'version'],
    ['garbage', 'Handle ,,=', 'malformed'],
  ])('refuses a header with %s, naming the fix', async (_n, header, word) => {
    const put = await putRecord(node.url, `${P}/SESSION-BAD`, [urlValue(1, 'https://example.com/b')], header);
    expect(put).toMatchObject({ status: 400, body: { code: 'IDN_ERR_INVALID_CREDENTIAL' } });
    expect(String(put.body.message)).toContain(word);
  });

  it('holds a bounded number of sessions: never-authenticated ones make room, authenticated ones are kept', async () => {
    const basic = node.adminAuth(P);
    const opened: number[] = [];
    for (let i = 0; i < 25; i++) {
      const res = await fetch(`${node.url}/api/sessions`, { method: 'POST', headers: { authorization: basic } });
      opened.push(res.status);
      if (res.status === 201) expect(await res.json()).toMatchObject({ authenticated: true, id: ADMIN });
      else expect(await res.json()).toMatchObject({ code: 'IDN_ERR_SESSION_LIMIT' });
    }
    expect(opened.filter((s) => s === 503).length).toBeGreaterThan(0);
    expect(node.ctx.authenticator.sessions.size).toBeLessThanOrEqual(20);
    clock += 600_001; // let them expire for the tests after this one
  });
});

describe('secrets sealed reversibly (ADR 0002)', () => {
  const LEGACY = `${P}/LEGACY`;
  const LEGACY_ADMIN = `300:${LEGACY}`;
  const LEGACY_SECRET = 'legacy-secret-0123456';

  beforeAll(async () => {
    // A record as a node before sealing stored it: the secret only as an scrypt hash.
    const now = new Date().toISOString();
    const admin = { handle: LEGACY, index: 300, permissions: '011111111111' };
    const values = [
      {
        index: 100,
        type: 'HS_ADMIN',
        data: { format: 'admin', value: admin },
        ttl: 86_400,
        timestamp: now,
        access: 'public' as const,
      },
      {
        index: 300,
        type: 'HS_SECKEY',
        data: { format: 'scrypt', value: await hashSecret(LEGACY_SECRET) },
        ttl: 86_400,
        timestamp: now,
        access: 'authority' as const,
      },
    ];
    await node.store.put(
      parseIdentifier(LEGACY, 'text').key,
      { handle: LEGACY, values },
      { expectAbsent: true },
      { actor: 'test' },
    );
  });

  it('new secrets are stored sealed, and Basic login works with them', async () => {
    expect(await secretData(`${P}/ADMIN`)).toMatchObject({ format: 'sealed', value: { alg: 'A256GCM' } });
    const put = await putRecord(
      node.url,
      `${P}/BASIC-SEALED`,
      [urlValue(1, 'https://example.com/b')],
      node.adminAuth(P),
    );
    expect(put.status).toBe(201);
  });

  it('a legacy scrypt secret cannot answer a challenge, says so, and is re-sealed by the next Basic login', async () => {
    const s = await openSession();
    const r = await authenticate(answerHeader(s, LEGACY_ADMIN, LEGACY_SECRET));
    expect(r).toMatchObject({ status: 401, body: { code: 'IDN_ERR_SECRET_UNUSABLE' } });
    expect(String(r.body.message)).toContain('HTTP Basic');
    // Basic still verifies the scrypt hash (POST /api/tokens: an endpoint that only authenticates) ...
    expect(await tokenWith(LEGACY_ADMIN, LEGACY_SECRET)).toBe(201);
    // ... and the login re-sealed it: now a session can be authenticated with it.
    expect(await secretData(LEGACY)).toMatchObject({ format: 'sealed' });
    const again = await openSession();
    expect((await authenticate(answerHeader(again, LEGACY_ADMIN, LEGACY_SECRET))).body).toMatchObject({
      authenticated: true,
      id: LEGACY_ADMIN,
    });
    // The same secret still logs in with Basic; a wrong one does not.
    expect(await tokenWith(LEGACY_ADMIN, LEGACY_SECRET)).toBe(201);
    expect(await tokenWith(LEGACY_ADMIN, 'wrong-secret-000000')).toBe(401);
  });

  it('reads still show a sealed secret only as redacted', async () => {
    const res = await fetch(`${node.url}/api/handles/${P}/ADMIN`, { headers: { authorization: node.adminAuth(P) } });
    const text = await res.text();
    expect(text).toContain('"redacted"');
    expect(text).not.toMatch(/A256GCM|"ct"|"kid"|sealed/);
  });
});

describe('the seal key file', () => {
  it('is created with mode 0600 and reused when the node starts again on the same data directory', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'idnode-seal-'));
    try {
      const first = await startTestNode([P], { dataDir });
      const sealedBefore = await first.store.get(parseIdentifier(`${P}/ADMIN`, 'text').key);
      await first.close();
      expect((await stat(join(dataDir, 'seal-key'))).mode & 0o777).toBe(0o600);
      const second = await startTestNode([P], { dataDir });
      try {
        // The admin record was not re-keyed (same version): the secret sealed at first start opens now.
        const after = await second.store.get(parseIdentifier(`${P}/ADMIN`, 'text').key);
        expect(after?.version).toBe(sealedBefore?.version);
        const put = await putRecord(
          second.url,
          `${P}/AFTER-RESTART`,
          [urlValue(1, 'https://example.com/r')],
          second.adminAuth(P),
        );
        expect(put.status, JSON.stringify(put.body)).toBe(201);
        const s = await openSession(second.url);
        const res = await fetch(`${second.url}/api/sessions/this`, {
          method: 'PUT',
          headers: { authorization: answerHeader(s, ADMIN, TEST_SECRET) },
        });
        expect(await res.json()).toMatchObject({ authenticated: true, id: ADMIN });
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
