import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { creditCodeCheckChar } from '../../prefix-registry/src/index.ts';
import { freePort, ROOT, spawnServer, type ServerProcess } from '../lib/processes.ts';

/**
 * The node under fuzz: node/src/main.ts as a real process (standalone, LMDB in a temp dir, the
 * native Handle protocol on a free TCP+UDP port), and the credentials and ids the fuzzers mix in:
 * admin Basic, a Bearer token, a console session cookie, an authenticated Handle REST session, a
 * prefix application. 88.100.7 is homed too but its admin is never given to the fuzzers: its
 * record must read the same afterwards over every transport.
 */

export const FUZZED_PREFIXES = ['88.100.5', '88.100.6'];
export const UNTOUCHED = '88.100.7/KEEP';
export const UNTOUCHED_URL = 'https://keep.example/fuzz';

export interface FuzzTarget {
  readonly node: ServerProcess;
  readonly handlePort: number;
  readonly secret: string;
  readonly auths: readonly string[];
  readonly cookieHeaders: Readonly<Record<string, string>>;
  readonly known: Readonly<Record<string, readonly string[]>>;
}

export const basic = (prefix: string, secret: string): string =>
  `Basic ${Buffer.from(`300%3A${encodeURIComponent(`${prefix}/ADMIN`)}:${secret}`).toString('base64')}`;

async function call(url: string, init: RequestInit & { expect: number }): Promise<Response> {
  const res = await fetch(url, init);
  if (res.status !== init.expect) throw new Error(`seeding ${url}: ${res.status} ${await res.text()}`);
  return res;
}

const json = { 'content-type': 'application/json' };

async function put(base: string, handle: string, data: string, auth: string): Promise<void> {
  const body = JSON.stringify({ values: [{ index: 1, type: 'URL', data }] });
  await (
    await call(`${base}/api/handles/${handle}`, {
      method: 'PUT',
      headers: { ...json, authorization: auth },
      body,
      expect: 201,
    })
  ).text();
}

/** POST /api/sessions, then answer its nonce with HS_SECKEY/SHA256 (Handle.Net 9). */
async function handleSession(base: string, secret: string): Promise<string> {
  const opened = (await (await call(`${base}/api/sessions`, { method: 'POST', expect: 201 })).json()) as {
    sessionId: string;
    nonce: string;
  };
  const key = Buffer.from(secret, 'utf8');
  const cnonce = randomBytes(16);
  const nonce = Buffer.from(opened.nonce, 'base64');
  const signature = createHash('sha256').update(key).update(nonce).update(cnonce).update(key).digest('base64');
  const fields = {
    version: '0',
    sessionId: opened.sessionId,
    id: encodeURIComponent(`300:${FUZZED_PREFIXES[0]}/ADMIN`),
    type: 'HS_SECKEY',
    cnonce: cnonce.toString('base64'),
    alg: 'SHA256',
    signature,
  };
  const header = `Handle ${Object.entries(fields)
    .map(([k, v]) => `${k}="${v}"`)
    .join(', ')}`;
  await (
    await call(`${base}/api/sessions/this`, { method: 'PUT', headers: { authorization: header }, expect: 200 })
  ).text();
  return `Handle sessionId="${opened.sessionId}"`;
}

async function application(base: string): Promise<string> {
  const first17 = '91350100M000100Y4';
  const body = JSON.stringify({
    companyName: 'Fuzz Ltd',
    creditCode: `${first17}${creditCodeCheckChar(first17)}`,
    contact: { name: 'F' },
    requestedPrefix: '88.100.9',
  });
  const res = await fetch(`${base}/api/admin/prefix-applications`, { method: 'POST', headers: json, body });
  const out = (await res.json()) as { id?: string };
  return out.id ?? 'none';
}

async function seed(node: ServerProcess, handlePort: number, secret: string): Promise<FuzzTarget> {
  const base = node.url;
  const admin = basic(FUZZED_PREFIXES[0]!, secret);
  await put(base, '88.100.5/FUZZ-1', 'https://example.com/f1', admin);
  await put(base, '88.100.5/Bat-1', 'https://example.com/b1', admin);
  await put(base, UNTOUCHED, UNTOUCHED_URL, basic('88.100.7', secret));
  const token = (await (
    await call(`${base}/api/tokens`, {
      method: 'POST',
      headers: { ...json, authorization: admin },
      body: '{}',
      expect: 201,
    })
  ).json()) as { token: string };
  const signIn = await call(`${base}/api/session`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ user: `${FUZZED_PREFIXES[0]}/ADMIN`, secret }),
    expect: 201,
  });
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  return {
    node,
    handlePort,
    secret,
    auths: [
      ...FUZZED_PREFIXES.map((p) => basic(p, secret)),
      `Bearer ${token.token}`,
      await handleSession(base, secret),
    ],
    cookieHeaders: { cookie, 'x-idnode-csrf': csrfToken },
    known: {
      '*': ['88.100.5/FUZZ-1', '88.100.5/Bat-1', '88.100.5/ADMIN', '88.100.6/ADMIN', '0.NA/88.100.5'],
      prefix: FUZZED_PREFIXES,
      id: [await application(base)],
    },
  };
}

export async function startFuzzTarget(dataDir: string): Promise<FuzzTarget> {
  const [http, handlePort] = [await freePort(), await freePort()];
  const secret = randomBytes(18).toString('base64url');
  const node = await spawnServer({
    name: 'fuzzed',
    script: join(ROOT, 'node', 'src', 'main.ts'),
    port: http,
    readyPath: '/livez',
    timeoutMs: 60_000,
    env: {
      IDNODE_DATA_DIR: dataDir,
      IDNODE_HTTP_PORT: String(http),
      IDNODE_HOST: '127.0.0.1',
      IDNODE_HANDLE_PORT: String(handlePort),
      IDNODE_PREFIXES: [...FUZZED_PREFIXES, '88.100.7'].join(','),
      IDNODE_ADMIN_SECRET: secret,
      IDNODE_LOG_LEVEL: 'warn',
      IDNODE_DRAIN_DELAY_MS: '0',
    },
  });
  try {
    return await seed(node, handlePort, secret);
  } catch (e) {
    await node.stop();
    throw e;
  }
}
