import { createServer, type Server } from 'node:http';
import { createHmac } from 'node:crypto';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trustedIssuersFrom } from '../../src/access/trusted-issuers.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * Issue 13 item 10, JWT algorithm confusion, wherever the node accepts a JWT (passport
 * credentials, `Authorization: Bearer eyJ…` on the API and the QR route): alg none, HS256 keyed
 * with the issuer's public key, kid pointing at another issuer's key or at a path, a key embedded
 * in the header (jwk) or fetched from it (jku, x5u: the node must not fetch, a listener counts).
 */

const P = '88.100.5';
const ID = `${P}/JWT-1`;
const SECRET_URL = 'https://dpp.example/authority-only-77';
const RECYCLERS = 'https://recyclers.example';
const AUTHORITIES = 'https://authorities.example';
let node: TestNode;
let auth: { key: CryptoKey; jwk: JWK; publicPem: string };
let recyclers: { key: CryptoKey; jwk: JWK };
let fetchedBy = 0;
let listener: Server;
let listenerUrl = '';

const b64 = (o: object | string) => Buffer.from(typeof o === 'string' ? o : JSON.stringify(o)).toString('base64url');
const claims = (iss = AUTHORITIES) => ({
  iss,
  sub: 'x',
  role: 'authority',
  purpose: 'safety-assessment',
  exp: Math.floor(Date.now() / 1000) + 300,
});

/** An HS256 token over `claims` keyed with `key` (the classic confusion: the public key as HMAC secret). */
function hs256(header: object, key: string | Buffer): string {
  const signing = `${b64({ alg: 'HS256', typ: 'JWT', ...header })}.${b64(claims())}`;
  return `${signing}.${createHmac('sha256', key).update(signing).digest('base64url')}`;
}

async function signedBy(key: CryptoKey, alg: 'ES256' | 'EdDSA', header: Record<string, unknown>, iss = AUTHORITIES) {
  return new SignJWT(claims(iss)).setProtectedHeader({ alg, ...header }).sign(key);
}

beforeAll(async () => {
  listener = createServer((_q, s) => (fetchedBy++, s.end('{"keys":[]}')));
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  const addr = listener.address();
  listenerUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  const a = await generateKeyPair('EdDSA', { extractable: true });
  const r = await generateKeyPair('ES256', { extractable: true });
  auth = {
    key: a.privateKey,
    jwk: { ...(await exportJWK(a.publicKey)), kid: 'auth-1' },
    publicPem: await exportSPKI(a.publicKey),
  };
  recyclers = { key: r.privateKey, jwk: { ...(await exportJWK(r.publicKey)), kid: 'rec-1' } };
  const trust = trustedIssuersFrom({
    audience: ['https://id.example.com'],
    issuers: [
      { iss: AUTHORITIES, jwks: [auth.jwk], allowedRoles: ['authority'] },
      { iss: RECYCLERS, jwks: [recyclers.jwk], allowedRoles: ['legitimate-interest'] },
    ],
  });
  node = await startTestNode([P], { trustedIssuers: trust });
  const put = await putRecord(
    node.url,
    ID,
    [urlValue(1, 'https://dpp.example/public'), urlValue(2, SECRET_URL, { access: 'authority' })],
    node.adminAuth(P),
  );
  expect(put.status).toBe(201);
});
afterAll(async () => {
  await node.close();
  await new Promise((r) => listener.close(r));
});

const ATTACKS: [string, () => Promise<string>][] = [
  ['alg none', () => Promise.resolve(`${b64({ alg: 'none' })}.${b64(claims())}.`)],
  ['alg NONE, signature kept', () => Promise.resolve(`${b64({ alg: 'NONE' })}.${b64(claims())}.AAAA`)],
  ['HS256 keyed with the public key PEM', () => Promise.resolve(hs256({ kid: 'auth-1' }, auth.publicPem))],
  [
    'HS256 keyed with the public JWK x',
    () => Promise.resolve(hs256({ kid: 'auth-1' }, Buffer.from(auth.jwk.x ?? '', 'base64url'))),
  ],
  ['HS256 keyed with the JWK JSON', () => Promise.resolve(hs256({ kid: 'auth-1' }, JSON.stringify(auth.jwk)))],
  ['kid path traversal, empty HMAC key', () => Promise.resolve(hs256({ kid: '../../../../../../dev/null' }, ''))],
  [
    'kid of the authority key, signed by the recyclers key (iss authorities)',
    () => signedBy(recyclers.key, 'ES256', { kid: 'auth-1' }),
  ],
  ['kid of the recyclers key, iss authorities', () => signedBy(recyclers.key, 'ES256', { kid: 'rec-1' })],
  ['kid SQL/OS metacharacters', () => signedBy(recyclers.key, 'ES256', { kid: "x' OR '1'='1; rm -rf /" })],
  [
    'embedded attacker jwk header',
    async () => {
      const k = await generateKeyPair('ES256', { extractable: true });
      return signedBy(k.privateKey, 'ES256', { jwk: await exportJWK(k.publicKey) });
    },
  ],
  [
    'jku to a URL the node would fetch',
    async () => {
      const k = await generateKeyPair('ES256');
      return signedBy(k.privateKey, 'ES256', { jku: `${listenerUrl}/jwks.json`, kid: 'x' });
    },
  ],
  [
    'x5u to a URL the node would fetch',
    async () => {
      const k = await generateKeyPair('ES256');
      return signedBy(k.privateKey, 'ES256', { x5u: `${listenerUrl}/cert.pem` });
    },
  ],
  [
    'header alg ES256, EdDSA signature',
    async () => {
      const t = await signedBy(auth.key, 'EdDSA', { kid: 'auth-1' });
      const [, body, sig] = t.split('.');
      return `${b64({ alg: 'ES256', kid: 'auth-1' })}.${body}.${sig}`;
    },
  ],
  [
    'crit header the node does not know',
    () =>
      new SignJWT(claims())
        .setProtectedHeader({ alg: 'EdDSA', kid: 'auth-1', crit: ['exp-x'], 'exp-x': 1 })
        .sign(auth.key, { crit: { 'exp-x': true } }),
  ],
];

describe('JWT algorithm confusion', () => {
  it('the genuine credential reads the authority-only value (the test can see a pass)', async () => {
    const t = await signedBy(auth.key, 'EdDSA', { kid: 'auth-1' });
    const r = await fetch(`${node.url}/api/handles/${ID}`, { headers: { authorization: `Bearer ${t}` } });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain(SECRET_URL);
  });

  it.each(ATTACKS)('%s: refused on the API and the QR route, nothing non-public, nothing fetched', async (_n, make) => {
    const token = await make();
    for (const path of [`/api/handles/${ID}`, `/${ID}?noredirect`, `/${ID}?index=2`]) {
      const r = await fetch(`${node.url}${path}`, {
        headers: { authorization: `Bearer ${token}` },
        redirect: 'manual',
      });
      const text = await r.text();
      expect(text, path).not.toContain(SECRET_URL);
      expect(r.headers.get('location') ?? '', path).not.toContain('authority-only');
      expect(r.status, path).toBeLessThan(500);
      if (path.startsWith('/api/')) expect(r.status, `${path}: ${text}`).toBe(401);
    }
    expect(fetchedBy).toBe(0);
  });
});
