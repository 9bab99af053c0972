import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAnswerSignature, type Jwks } from '../../src/cli/verify-signature.ts';
import { ed25519FromSeed } from '../../src/tlog/ed25519.ts';
import { ed25519NoteSigner } from '../../src/tlog/note.ts';
import { jsonLines, runCli } from '../cli/cli-helpers.ts';
import { startTamperProxy, type Relayed, type Tamper, type TamperProxy } from '../helpers/tamper-proxy.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

let node: TestNode;
let dir: string;
let proxy: TamperProxy;
const untouched: Tamper = (_path, a) => a;
let tamper: Tamper = untouched;
const put = async (id: string, url: string) =>
  expect(
    (
      await putRecord(
        node.url,
        id,
        [urlValue(1, url), { ...urlValue(2, 'https://hidden.example/'), access: 'authority' }],
        node.adminAuth('88.100.5'),
      )
    ).status,
  ).toBeLessThan(300);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'idnode-verify-'));
  node = await startTestNode(['88.100.5'], { tlog: {}, signing: 'requested' });
  await put('88.100.5/V-1', 'https://example.com/1');
  proxy = await startTamperProxy(node.url, (path, a) => tamper(path, a));
});
afterAll(async () => {
  await proxy.close();
  await node.close();
  await rm(dir, { recursive: true, force: true });
});

const verify = (id: string, ...more: string[]) =>
  runCli(['verify', id, '--url', node.url, '--json', '--state', join(dir, 'state.json'), ...more]);

describe('idnode verify', () => {
  it('verifies leaf, inclusion and checkpoint signature, then consistency with the checkpoint it saw before', async () => {
    const first = await verify('88.100.5/V-1');
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const checks = (jsonLines(first)[0]!.checks as { check: string; status: string }[]).map(
      (c) => `${c.check}:${c.status}`,
    );
    expect(checks).toEqual([
      'answer-signature:ok',
      'checkpoint-signature:ok',
      'witness-cosignature:skipped',
      'leaf:ok',
      'inclusion:ok',
      'consistency:skipped',
    ]);
    for (let i = 2; i < 40; i++) await put(`88.100.5/V-${i}`, `https://example.com/${i}`);
    await put('88.100.5/V-1', 'https://example.com/1-again');
    const second = await verify('88.100.5/V-1');
    expect(second.code, second.stderr + second.stdout).toBe(0);
    const consistency = (jsonLines(second)[0]!.checks as { check: string; status: string }[]).find(
      (c) => c.check === 'consistency',
    );
    expect(consistency?.status).toBe('ok');
    // The node's answer keys were trusted on first use and are remembered beside the log key.
    const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as Record<string, { answerKeys: [] }>;
    const jwks = (await (await fetch(`${node.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };
    const remembered = Object.values(state)[0]!.answerKeys as { kid: string }[];
    expect(remembered.map((k) => k.kid)).toEqual(jwks.keys.map((k) => k.kid));
  });

  it('refuses a log that does not extend what it saw (exit 1, CLI_ERR_VERIFY_INCONSISTENT)', async () => {
    const file = join(dir, 'state.json');
    const state = JSON.parse(await readFile(file, 'utf8')) as Record<string, { size: number; root: string }>;
    const origin = Object.keys(state)[0]!;
    await writeFile(
      file,
      JSON.stringify({ [origin]: { ...state[origin], size: 3, root: Buffer.alloc(32, 7).toString('base64') } }),
    );
    const r = await verify('88.100.5/V-1');
    expect([r.code, jsonLines(r)[0]!.code]).toEqual([1, 'CLI_ERR_VERIFY_INCONSISTENT']);
  });

  it('refuses a checkpoint not signed by the pinned key, and a missing witness cosignature', async () => {
    const wrong = await verify(
      '88.100.5/V-2',
      '--state',
      join(dir, 'other.json'),
      '--vkey',
      'idnode.test/log+00000000+AQ==',
    );
    expect(wrong.code).toBe(2);
    // A real key of the same name: the checkpoint carries no signature by it.
    const other = ed25519NoteSigner('idnode.test/log', ed25519FromSeed(Buffer.alloc(32, 3))).vkey;
    const signed = await verify('88.100.5/V-2', '--state', join(dir, 'other2.json'), '--vkey', other);
    expect([signed.code, jsonLines(signed)[0]!.code]).toEqual([1, 'CLI_ERR_VERIFY_SIGNATURE']);
    const witness = await verify(
      '88.100.5/V-2',
      '--witness-vkey',
      'witness.example/w1+04d2d833+BD1AF8PoQ4lakrcKp00bfrycmCzPLsSWjMDNVfEq9GYM',
    );
    expect([witness.code, jsonLines(witness)[0]!.code]).toEqual([1, 'CLI_ERR_VERIFY_WITNESS']);
  });
});

/** The answer to `idnode verify`'s request (the JSON record with its proof), changed on the way. */
const onAnswer =
  (change: (a: Relayed) => Relayed): Tamper =>
  (path, a) =>
    path.startsWith('/api/handles/') ? change(a) : a;
const digestOf = (body: Buffer) => `sha-256=:${createHash('sha256').update(body).digest('base64')}:`;
const forged = (a: Relayed) =>
  Buffer.from(a.body.toString().replace('https://example.com/2', 'https://evil.example/2'));
const viaProxy = (state: string, ...more: string[]) =>
  runCli(['verify', '88.100.5/V-2', '--url', proxy.url, '--json', '--state', join(dir, state), ...more]);
const failure = (r: Awaited<ReturnType<typeof runCli>>) => [r.code, jsonLines(r)[0]!.code];

describe('idnode verify: the answer signature (RFC 9421, a man in the middle on 127.0.0.1)', () => {
  it('refuses a changed body, with the old Content-Digest or a recomputed one', async () => {
    tamper = onAnswer((a) => ({ ...a, body: forged(a) }));
    const kept = await viaProxy('mitm.json');
    expect(failure(kept)).toEqual([1, 'CLI_ERR_VERIFY_ANSWER_SIGNATURE']);
    expect(jsonLines(kept)[0]!.message).toContain('bad-digest');
    tamper = onAnswer((a) => ({
      ...a,
      body: forged(a),
      headers: { ...a.headers, 'content-digest': digestOf(forged(a)) },
    }));
    const redone = await viaProxy('mitm.json');
    expect(failure(redone)).toEqual([1, 'CLI_ERR_VERIFY_ANSWER_SIGNATURE']);
    expect(jsonLines(redone)[0]!.message).toContain('bad-signature');
    tamper = untouched;
  });

  it('refuses an answer whose signature was removed, unless --allow-unsigned', async () => {
    tamper = onAnswer((a) => {
      const { signature: _s, 'signature-input': _i, ...headers } = a.headers;
      return { ...a, headers };
    });
    expect(failure(await viaProxy('strip.json'))).toEqual([1, 'CLI_ERR_VERIFY_UNSIGNED']);
    const allowed = await viaProxy('strip.json', '--allow-unsigned');
    expect(allowed.code, allowed.stderr + allowed.stdout).toBe(0);
    expect(jsonLines(allowed)[0]!.checks).toContainEqual(
      expect.objectContaining({ check: 'answer-signature', status: 'skipped' }),
    );
    tamper = untouched;
  });

  it('checks against remembered or pinned keys: another key is refused, the pinned JWKS passes', async () => {
    const file = join(dir, 'keys.json');
    const first = await verify('88.100.5/V-2', '--state', file);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    const state = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>;
    const origin = Object.keys(state)[0]!;
    const other = { kid: 'not-the-node', x: Buffer.alloc(32, 9).toString('base64url') };
    await writeFile(join(dir, 'foreign.json'), JSON.stringify({ [origin]: { ...state[origin], answerKeys: [other] } }));
    const foreign = await verify('88.100.5/V-2', '--state', join(dir, 'foreign.json'));
    expect(failure(foreign)).toEqual([1, 'CLI_ERR_VERIFY_ANSWER_KEY']);
    expect(jsonLines(foreign)[0]!.message).toContain('--jwks');
    await writeFile(join(dir, 'jwks.json'), await (await fetch(`${node.url}/.well-known/jwks.json`)).text());
    const pinned = await verify('88.100.5/V-2', '--state', join(dir, 'foreign.json'), '--jwks', join(dir, 'jwks.json'));
    expect(pinned.code, pinned.stderr + pinned.stdout).toBe(0);
  });

  it('a redirect whose Location was changed fails verifyAnswerSignature (what verify builds on)', async () => {
    const url = `${node.url}/88.100.5/V-2`;
    const res = await fetch(url, { headers: { 'accept-signature': 'idnode=("@status")' }, redirect: 'manual' });
    const jwks = (await (await fetch(`${node.url}/.well-known/jwks.json`)).json()) as Jwks;
    const answer = {
      status: res.status,
      headers: res.headers,
      body: Buffer.from(await res.arrayBuffer()),
      request: { method: 'GET', url },
    };
    expect([res.status, verifyAnswerSignature(answer, jwks).ok]).toEqual([302, true]);
    const moved = new Headers(res.headers);
    moved.set('location', 'https://evil.example/2');
    expect(verifyAnswerSignature({ ...answer, headers: moved }, jwks)).toMatchObject({
      ok: false,
      code: 'bad-signature',
    });
  });
});
