import { createHash, type KeyObject } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAnswerSignature } from '../../src/cli/verify-signature.ts';
import { runCli } from '../cli/cli-helpers.ts';
import { waitUntil } from '../helpers/redis-server.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { basicAuth, putRecord, urlValue } from '../helpers/test-node.ts';
import { contentDigestMatches, keysOf, verifySignature, type MessageView } from './verifier/verifier.ts';

/*
 * Signed answers of a real node process over real HTTP (ADR 0011), checked only by the
 * independent verifier (./verifier, no node/src import): each kind of answer verifies, tampering
 * fails, a cached answer replays its signature, rotation keeps the old key published, and the
 * private key never shows in the log or the metrics.
 */

const SECRET = 'signed-answers-secret-0123';
const AUTH = basicAuth('300:88.100.5/ADMIN', SECRET);
/** GS1's example GTIN-14 (check digit 2). */
const GTIN = '09506000134352';
const SIGN_ME = { 'accept-signature': 'sig1=("@status" "content-digest");keyid="any"' };

let dir: string;
let node: NodeProcess;

interface Fetched {
  readonly url: string;
  readonly res: Response;
  readonly body: Buffer;
}

async function get(path: string, headers: Record<string, string> = SIGN_ME): Promise<Fetched> {
  const url = `${node.url}${path}`;
  const res = await fetch(url, { headers, redirect: 'manual' });
  return { url, res, body: Buffer.from(await res.arrayBuffer()) };
}

const view = (f: Fetched, field: (name: string) => string | null = (n) => f.res.headers.get(n)): MessageView => ({
  kind: 'response',
  status: f.res.status,
  field,
  request: { method: 'GET', url: f.url, field: () => undefined },
});

async function jwks(): Promise<Map<string, KeyObject>> {
  const res = await fetch(`${node.url}/.well-known/jwks.json`);
  return keysOf((await res.json()) as Parameters<typeof keysOf>[0]);
}

/** The signature and the digest, both checked: a valid signature over a digest of other bytes is no proof. */
async function verified(f: Fetched, keys?: Map<string, KeyObject>) {
  const k = keys ?? (await jwks());
  const verdict = verifySignature(view(f), (id) => k.get(id));
  return { verdict, digestOk: contentDigestMatches(f.res.headers.get('content-digest'), f.body) };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-signed-'));
  node = await spawnNode({
    IDNODE_DATA_DIR: join(dir, 'data'),
    IDNODE_ADMIN_SECRET: SECRET,
    IDNODE_PREFIXES: '88.100.5',
    IDNODE_SIGN_ANSWERS: 'requested',
    IDNODE_LOG_LEVEL: 'debug',
  });
  expect((await putRecord(node.url, '88.100.5/URL-1', [urlValue(1, 'https://maker.example/a')], AUTH)).status).toBe(
    201,
  );
  const link = {
    index: 2,
    type: 'LINK',
    data: { format: 'json', value: { linkType: 'gs1:pip', href: 'https://maker.example/pip', title: 'Product page' } },
  };
  expect((await putRecord(node.url, '88.100.5/LINK-1', [link], AUTH)).status).toBe(201);
  expect((await putRecord(node.url, `88.100.5/01/${GTIN}/21/S1`, [link], AUTH)).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await node?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('each kind of answer is signed and verifies', () => {
  const KINDS: [string, string, Record<string, string>, number][] = [
    ['JSON record', '/api/handles/88.100.5/URL-1', {}, 200],
    ['302 redirect (Handle proxy)', '/88.100.5/URL-1', {}, 302],
    ['307 redirect (typed link)', '/88.100.5/LINK-1', {}, 307],
    ['linkset', '/88.100.5/LINK-1', { accept: 'application/linkset+json' }, 200],
    ['404 JSON', '/api/handles/88.100.5/NOPE', {}, 404],
    ['404 page', '/88.100.5/NOPE', {}, 404],
    ['redirect with a query', '/88.100.5/URL-1?lang=de', {}, 302],
    ['GS1 Digital Link redirect', `/01/${GTIN}/21/S1`, {}, 307],
    ['GS1 Digital Link linkset', `/01/${GTIN}/21/S1?linkType=all`, {}, 200],
    ['GS1 Digital Link 404', `/01/${GTIN}/21/NOPE`, { accept: 'application/json' }, 404],
  ];
  it.each(KINDS)('%s', async (_kind, path, headers, status) => {
    const f = await get(path, { ...SIGN_ME, ...headers });
    expect(f.res.status).toBe(status);
    const { verdict, digestOk } = await verified(f);
    expect(verdict).toMatchObject({ ok: true, tag: 'idnode' });
    expect(digestOk).toBe(true);
    if (!verdict.ok) return;
    expect(verdict.covered).toEqual(
      expect.arrayContaining(['"@status"', '"content-digest"', '"@method";req', '"@path";req', '"@query";req']),
    );
    if (f.res.headers.get('location') !== null) expect(verdict.covered).toContain('"location"');
    if (f.res.headers.get('content-type') !== null) expect(verdict.covered).toContain('"content-type"');
    // The exported check `idnode verify` uses agrees (it is node/src code, so it is not the independent one).
    const answer = {
      status: f.res.status,
      headers: f.res.headers,
      body: f.body,
      request: { method: 'GET', url: f.url },
    };
    expect(verifyAnswerSignature(answer, await jwksRaw())).toMatchObject({ ok: true, kid: verdict.keyid });
    const changed = { ...answer, body: Buffer.concat([f.body, Buffer.from(' ')]) };
    expect(verifyAnswerSignature(changed, await jwksRaw())).toMatchObject({ ok: false, code: 'bad-digest' });
  });

  it('only when asked (requested mode), and the answer varies on Accept-Signature', async () => {
    const f = await get('/api/handles/88.100.5/URL-1', {});
    expect(f.res.headers.get('signature')).toBeNull();
    expect(f.res.headers.get('vary')).toContain('Accept-Signature');
  });

  it('a cached answer replays the signature made once (same created, same bytes)', async () => {
    const a = await get('/api/handles/88.100.5/URL-1');
    const b = await get('/api/handles/88.100.5/URL-1');
    expect(b.res.headers.get('x-idnode-source')).toBe('cache');
    expect(b.res.headers.get('signature')).toBe(a.res.headers.get('signature'));
    expect(b.res.headers.get('signature-input')).toBe(a.res.headers.get('signature-input'));
  });
});

describe('tampering fails verification', () => {
  it('a changed body: the digest no longer matches, and a forged digest breaks the signature', async () => {
    const f = await get('/api/handles/88.100.5/URL-1');
    const forged = Buffer.from(f.body.toString('utf8').replace('maker.example/a', 'evil.example/a'));
    const tampered = { ...f, body: forged };
    expect((await verified(tampered)).digestOk).toBe(false);
    const digest = `sha-256=:${createHash('sha256').update(forged).digest('base64')}:`;
    const field = (n: string) => (n === 'content-digest' ? digest : f.res.headers.get(n));
    const keys = await jwks();
    expect(verifySignature(view(tampered, field), (id) => keys.get(id))).toMatchObject({ ok: false });
  });

  it('a changed Location breaks the signature', async () => {
    const f = await get('/88.100.5/URL-1');
    const field = (n: string) => (n === 'location' ? 'https://evil.example/a' : f.res.headers.get(n));
    const keys = await jwks();
    expect(verifySignature(view(f, field), (id) => keys.get(id))).toMatchObject({ ok: false, reason: 'bad signature' });
  });

  it('the same answer presented for another path does not verify', async () => {
    const f = await get('/api/handles/88.100.5/URL-1');
    const moved = { ...f, url: `${node.url}/api/handles/88.100.5/URL-2` };
    const keys = await jwks();
    expect(verifySignature(view(moved), (id) => keys.get(id))).toMatchObject({ ok: false });
  });
});

describe('keys', () => {
  it('the kid is the RFC 7638 thumbprint, and 0.NA/<prefix> carries the same key as HS_PUBKEY', async () => {
    const set = (await (await fetch(`${node.url}/.well-known/jwks.json`)).json()) as {
      keys: { x: string; kid: string }[];
    };
    const k = set.keys[0]!;
    const thumb = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${k.x}"}`).digest('base64url');
    expect(k.kid).toBe(thumb);
    expect(await naPublicKey()).toBe(Buffer.from(k.x, 'base64url').toString('hex'));
  });

  it('rotation: answers signed with A still verify (A is previous), new ones are signed with B', async () => {
    const before = await get('/88.100.5/LINK-1');
    const a = (await verified(before)).verdict;
    expect(a.ok).toBe(true);
    const run = await runCli(['keys', 'rotate-signing', '--data-dir', join(dir, 'data'), '--json']);
    expect(run.code, run.stderr).toBe(0);
    await waitUntil('the node publishes two keys', 10_000, async () => (await jwks()).size === 2);
    const after = await get('/88.100.5/LINK-1');
    const b = (await verified(after)).verdict;
    expect(b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(b.keyid).not.toBe(a.keyid);
    const keys = await jwks();
    expect([...keys.keys()]).toEqual([b.keyid, a.keyid]);
    expect((await verified(before, keys)).verdict).toMatchObject({ ok: true, keyid: a.keyid });
    const bx = (await jwksRaw()).keys[0]!.x;
    await waitUntil(
      'HS_PUBKEY follows the rotation',
      10_000,
      async () => (await naPublicKey()) === Buffer.from(bx, 'base64url').toString('hex'),
    );
  });

  it('the private keys never appear in the log or the metrics', async () => {
    const file = await readFile(join(dir, 'data', 'signing-key'), 'utf8');
    const seeds = file
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => Buffer.from(l, 'base64'));
    expect(seeds.length).toBe(2);
    const metrics = await (await fetch(`${node.url}/metrics`)).text();
    const seen = node.output() + metrics;
    expect(node.output()).toContain('answer signing key rotated');
    for (const s of seeds) {
      for (const form of [s.toString('base64'), s.toString('base64url'), s.toString('hex')]) {
        expect(seen).not.toContain(form);
        expect(seen).not.toContain(form.slice(0, 16));
      }
    }
  });
});

describe('a broken key file', () => {
  it('leaves the working keys in place, with a warning that names the file', async () => {
    const before = [...(await jwks()).keys()];
    await writeFile(join(dir, 'data', 'signing-key'), 'not a key\n', { mode: 0o600 });
    await waitUntil('the node warns', 10_000, () =>
      Promise.resolve(node.output().includes('signing key file not usable')),
    );
    expect([...(await jwks()).keys()]).toEqual(before);
    const f = await get('/api/handles/88.100.5/URL-1');
    expect((await verified(f)).verdict).toMatchObject({ ok: true, keyid: before[0] });
  });
});

async function jwksRaw(): Promise<{ keys: { x: string; kid: string; kty: string; crv: string }[] }> {
  return (await (await fetch(`${node.url}/.well-known/jwks.json`)).json()) as Awaited<ReturnType<typeof jwksRaw>>;
}

/** The Ed25519 key of 0.NA/88.100.5's HS_PUBKEY, decoded here by the Handle key layout (type, flags, bytes). */
async function naPublicKey(): Promise<string | undefined> {
  const res = await fetch(`${node.url}/api/handles/0.NA/88.100.5?type=HS_PUBKEY`, { headers: { authorization: AUTH } });
  const rec = (await res.json()) as { values?: { data: { value: string } }[] };
  const data = rec.values?.[0] === undefined ? undefined : Buffer.from(rec.values[0].data.value, 'base64');
  if (data === undefined) return undefined;
  const typeLen = data.readUInt32BE(0);
  expect(data.subarray(4, 4 + typeLen).toString()).toBe('ED25519_PUB_KEY');
  const at = 4 + typeLen + 2;
  return data.subarray(at + 4, at + 4 + data.readUInt32BE(at)).toString('hex');
}
