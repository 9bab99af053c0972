import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustedIssuersFrom } from '../../src/access/trusted-issuers.ts';
import { putRecord, startTestNode, type TestNode } from '../helpers/test-node.ts';

/**
 * The disclosure matrix over real HTTP: each reader (anonymous, legitimate interest with a purpose,
 * authority, admin) against each access level of values, on the JSON API and the QR route; every
 * non-public read audited; every bad credential refused with its own code.
 */

const RECYCLERS = 'https://recyclers.example.eu';
const AUTHORITIES = 'https://msa.example.eu';
const HANDLE = '88.100.5/BAT-2025-000001';

interface Issuer {
  readonly iss: string;
  readonly key: CryptoKey;
  readonly alg: 'ES256' | 'EdDSA';
}

let node: TestNode;
let recyclers: Issuer;
let authorities: Issuer;
let stranger: Issuer;

async function issuer(iss: string, alg: 'ES256' | 'EdDSA'): Promise<Issuer & { jwk: object }> {
  const { privateKey, publicKey } = await generateKeyPair(alg);
  return { iss, key: privateKey, alg, jwk: { ...(await exportJWK(publicKey)), kid: `${alg}-1` } };
}

async function sign(i: Issuer, claims: Record<string, unknown>, opts: { exp?: string | number; nbf?: number } = {}) {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: i.alg, kid: `${i.alg}-1` })
    .setIssuer(i.iss)
    .setSubject((claims.sub as string | undefined) ?? 'operator-1')
    .setExpirationTime(opts.exp ?? '10m');
  if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
  return jwt.sign(i.key);
}

const bearer = (t: string) => `Bearer ${t}`;
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

const VALUES = [
  { index: 1, type: 'URL', data: { format: 'string', value: 'https://dpp.example.com/public/000001' } },
  { index: 2, type: 'EMAIL', data: { format: 'string', value: 'service@example.com' } },
  {
    index: 3,
    type: 'DPP',
    data: { format: 'string', value: 'https://dpp.example.com/dismantling/000001' },
    access: 'legitimate-interest',
  },
  {
    index: 4,
    type: 'URL',
    data: { format: 'string', value: 'https://dpp.example.com/test-reports/000001' },
    access: 'authority',
  },
];
const SECRET_URLS = ['https://dpp.example.com/dismantling/000001', 'https://dpp.example.com/test-reports/000001'];

beforeAll(async () => {
  const r = await issuer(RECYCLERS, 'ES256');
  const a = await issuer(AUTHORITIES, 'EdDSA');
  const s = await issuer(RECYCLERS, 'ES256'); // same iss, key the node does not know
  recyclers = r;
  authorities = a;
  stranger = s;
  const trust = trustedIssuersFrom({
    audience: ['https://id.example.com'],
    issuers: [
      { iss: RECYCLERS, jwks: { keys: [r.jwk] }, allowedRoles: ['legitimate-interest'] },
      { iss: AUTHORITIES, jwks: [a.jwk], allowedRoles: ['authority', 'legitimate-interest'] },
    ],
  });
  node = await startTestNode(['88.100.5', '88.100.6'], { trustedIssuers: trust, audit: true });
  const put = await putRecord(node.url, HANDLE, VALUES, node.adminAuth('88.100.5'));
  expect(put.status).toBe(201);
});

afterAll(async () => node?.close());

async function readJson(auth?: string, path = HANDLE) {
  const res = await fetch(`${node.url}/api/handles/${path}`, { headers: auth ? { authorization: auth } : {} });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as Record<string, unknown>, headers: res.headers };
}

const indexes = (body: Record<string, unknown>) =>
  (body.values as { index: number }[]).map((v) => v.index).sort((a, b) => a - b);

async function readers(): Promise<Record<string, string | undefined>> {
  return {
    anonymous: undefined,
    'legitimate-interest': bearer(await sign(recyclers, { role: 'legitimate-interest', purpose: 'recycling' })),
    authority: bearer(await sign(authorities, { role: 'authority', sub: 'msa-de-7', purpose: 'safety-assessment' })),
    admin: node.adminAuth('88.100.5'),
  };
}

/** Which indexes each reader must see: public 1, 2 and the HS_ADMIN 100; legitimate interest +3; authority +4. */
const EXPECTED: Record<string, number[]> = {
  anonymous: [1, 2, 100],
  'legitimate-interest': [1, 2, 3, 100],
  authority: [1, 2, 3, 4, 100],
  admin: [1, 2, 3, 4, 100],
};

async function auditLines(): Promise<Record<string, unknown>[]> {
  await node.ctx.audit.flush();
  const text = await readFile(join(node.dataDir, 'audit', 'reads.log'), 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('disclosure matrix: reader x value access level', () => {
  it('the JSON API shows each reader exactly its tiers, and marks non-public answers private', async () => {
    const matrix: Record<string, number[]> = {};
    for (const [who, auth] of Object.entries(await readers())) {
      const r = await readJson(auth);
      expect(r.status, who).toBe(200);
      matrix[who] = indexes(r.body);
      if (who === 'anonymous') {
        for (const url of SECRET_URLS) expect(r.text).not.toContain(url);
        expect(r.headers.get('cache-control')).toMatch(/^public/);
      } else {
        expect(r.headers.get('cache-control'), who).toBe('private, no-store');
      }
    }
    expect(matrix).toEqual(EXPECTED);
  });

  it('the QR route never shows or redirects an anonymous scanner to a non-public value', async () => {
    const page = await fetch(`${node.url}/${HANDLE}?noredirect`);
    const html = await page.text();
    expect(page.status).toBe(200);
    for (const url of SECRET_URLS) expect(html).not.toContain(url);
    const redirect = await fetch(`${node.url}/${HANDLE}`, { redirect: 'manual' });
    expect([301, 302, 303, 307, 308]).toContain(redirect.status);
    expect(redirect.headers.get('location')).toBe('https://dpp.example.com/public/000001');
    for (const i of [3, 4]) {
      const r = await fetch(`${node.url}/${HANDLE}?index=${i}`, { redirect: 'manual' });
      expect(r.headers.get('location') ?? '').not.toContain('dpp.example.com/');
      expect(await r.text()).not.toContain('dpp.example.com/');
    }
  });

  it('no non-public value reaches an anonymous caller over many requests with every query form', async () => {
    const queries = ['', '?type=DPP', '?type=URL', '?index=3', '?index=4', '?index=3&index=4', '?publicOnly=true'];
    for (const q of queries) {
      const r = await readJson(undefined, `${HANDLE}${q}`);
      for (const url of SECRET_URLS) expect(r.text, q).not.toContain(url);
    }
    // publicOnly forces the public view whoever asks.
    const auth = (await readers()).authority;
    const r = await readJson(auth, `${HANDLE}?publicOnly=true`);
    expect(indexes(r.body)).toEqual(EXPECTED.anonymous);
  });

  it('every non-public read is in the audit log, with who, role, purpose, issuer and which values', async () => {
    const before = (await auditLines()).length;
    const rs = await readers();
    await readJson(rs.anonymous);
    await readJson(rs['legitimate-interest']);
    await readJson(rs.authority);
    await readJson(rs.admin);
    await readJson(rs['legitimate-interest'], `${HANDLE}?type=EMAIL`); // only public values shown: no audit
    const lines = (await auditLines()).slice(before);
    expect(lines).toHaveLength(3);
    const [legit, authority, admin] = lines;
    expect(legit).toMatchObject({
      kind: 'read',
      identifier: HANDLE,
      via: 'credential',
      tier: 'legitimate-interest',
      subject: 'operator-1',
      purpose: 'recycling',
      issuer: RECYCLERS,
      route: 'api',
      values: [{ index: 3, type: 'DPP', access: 'legitimate-interest' }],
    });
    expect(typeof legit!.time).toBe('string');
    expect(authority).toMatchObject({ tier: 'authority', subject: 'msa-de-7', issuer: AUTHORITIES });
    expect((authority!.values as unknown[]).length).toBe(2);
    expect(admin).toMatchObject({ via: 'admin', tier: 'authority', subject: '300:88.100.5/ADMIN' });
    // The audit names values, never their data.
    for (const url of SECRET_URLS) expect(JSON.stringify(lines)).not.toContain(url);
  });

  it('audits non-public reads on the QR route too', async () => {
    const before = (await auditLines()).length;
    const rs = await readers();
    await fetch(`${node.url}/${HANDLE}?noredirect`);
    await fetch(`${node.url}/${HANDLE}?noredirect`, { headers: { authorization: rs['legitimate-interest']! } });
    const lines = (await auditLines()).slice(before);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      route: 'qr',
      tier: 'legitimate-interest',
      purpose: 'recycling',
      identifier: HANDLE,
    });
  });

  it('writes are in the change audit with actor and versions', async () => {
    await putRecord(node.url, '88.100.5/BAT-AUDIT-1', [VALUES[0]], node.adminAuth('88.100.5'));
    await putRecord(node.url, '88.100.5/BAT-AUDIT-1', [VALUES[1]], node.adminAuth('88.100.5'));
    await new Promise((r) => setTimeout(r, 50));
    await node.ctx.audit.flush();
    const text = await readFile(join(node.dataDir, 'audit', 'changes.log'), 'utf8');
    const mine = text
      .split('\n')
      .filter((l) => l.includes('BAT-AUDIT-1'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(mine.map((e) => [e.op, e.previousVersion, e.version, e.actor])).toEqual([
      ['put', 0, 1, '300:88.100.5/ADMIN'],
      ['put', 1, 2, '300:88.100.5/ADMIN'],
    ]);
  });
});

describe('bad credentials are refused, each with its code', () => {
  const cases: [string, () => Promise<string>, number, string][] = [
    [
      'signed by a key the node does not trust',
      () => sign(stranger, { role: 'legitimate-interest', purpose: 'recycling' }),
      401,
      'IDN_ERR_CREDENTIAL_SIGNATURE',
    ],
    [
      'expired',
      () =>
        sign(
          recyclers,
          { role: 'legitimate-interest', purpose: 'recycling' },
          { exp: Math.floor(Date.now() / 1000) - 120 },
        ),
      401,
      'IDN_ERR_CREDENTIAL_EXPIRED',
    ],
    [
      'not valid yet',
      () =>
        sign(
          recyclers,
          { role: 'legitimate-interest', purpose: 'recycling' },
          { nbf: Math.floor(Date.now() / 1000) + 600 },
        ),
      401,
      'IDN_ERR_CREDENTIAL_NOT_YET_VALID',
    ],
    ['a role its issuer may not grant', () => sign(recyclers, { role: 'authority' }), 403, 'IDN_ERR_CREDENTIAL_ROLE'],
    ['an unknown role', () => sign(authorities, { role: 'superuser' }), 403, 'IDN_ERR_CREDENTIAL_ROLE'],
    [
      'legitimate interest without purpose',
      () => sign(recyclers, { role: 'legitimate-interest' }),
      403,
      'IDN_ERR_CREDENTIAL_PURPOSE',
    ],
    [
      'a purpose outside the vocabulary',
      () => sign(recyclers, { role: 'legitimate-interest', purpose: 'curiosity' }),
      403,
      'IDN_ERR_CREDENTIAL_PURPOSE',
    ],
    [
      'an issuer not in the trust file',
      () => sign({ ...recyclers, iss: 'https://evil.example' }, { role: 'authority' }),
      401,
      'IDN_ERR_CREDENTIAL_UNKNOWN_ISSUER',
    ],
    [
      'an audience naming another node',
      () => sign(authorities, { role: 'authority', aud: 'https://other-node.example' }),
      401,
      'IDN_ERR_CREDENTIAL_AUDIENCE',
    ],
    [
      'an audience scoped to another prefix',
      () => sign(authorities, { role: 'authority', aud: '88.100.6' }),
      401,
      'IDN_ERR_CREDENTIAL_AUDIENCE',
    ],
    [
      'alg none',
      () =>
        Promise.resolve(`${b64({ alg: 'none' })}.${b64({ iss: AUTHORITIES, sub: 'x', role: 'authority', exp: 9e9 })}.`),
      401,
      'IDN_ERR_CREDENTIAL_ALGORITHM',
    ],
    [
      'HS256 (a shared secret)',
      async () => {
        const key = new TextEncoder().encode('0123456789abcdef0123456789abcdef');
        return new SignJWT({ role: 'authority' })
          .setProtectedHeader({ alg: 'HS256' })
          .setIssuer(AUTHORITIES)
          .setSubject('x')
          .setExpirationTime('5m')
          .sign(key);
      },
      401,
      'IDN_ERR_CREDENTIAL_ALGORITHM',
    ],
    [
      'a malformed token',
      () => Promise.resolve(`${b64({ alg: 'ES256' })}.not-json.sig`),
      401,
      'IDN_ERR_CREDENTIAL_MALFORMED',
    ],
    [
      'no exp',
      async () =>
        new SignJWT({ role: 'authority' })
          .setProtectedHeader({ alg: 'EdDSA', kid: 'EdDSA-1' })
          .setIssuer(AUTHORITIES)
          .setSubject('x')
          .sign(authorities.key),
      401,
      'IDN_ERR_CREDENTIAL_CLAIMS',
    ],
  ];

  it.each(cases)('%s', async (_name, token, status, code) => {
    const r = await readJson(bearer(await token()));
    expect(r.status).toBe(status);
    expect(r.body.code).toBe(code);
    for (const url of SECRET_URLS) expect(r.text).not.toContain(url);
  });

  it('a good credential scoped to the identifier prefix or to this node is accepted', async () => {
    for (const aud of ['88.100.5', '88.100', 'https://id.example.com']) {
      const r = await readJson(bearer(await sign(authorities, { role: 'authority', aud })));
      expect(r.status, aud).toBe(200);
      expect(indexes(r.body)).toEqual(EXPECTED.authority);
    }
  });

  it("the node's own idn1 admin tokens are still told apart from passport credentials", async () => {
    const res = await fetch(`${node.url}/api/handles/${HANDLE}`, {
      headers: { authorization: 'Bearer idn1.bogus.sig' },
    });
    const body = (await res.json()) as { code: string };
    expect(res.status).toBe(401);
    expect(body.code).toBe('IDN_ERR_AUTH_FAILED');
  });
});
