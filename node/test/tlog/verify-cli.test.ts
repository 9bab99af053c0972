import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519FromSeed } from '../../src/tlog/ed25519.ts';
import { ed25519NoteSigner } from '../../src/tlog/note.ts';
import { jsonLines, runCli } from '../cli/cli-helpers.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

let node: TestNode;
let dir: string;
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
  node = await startTestNode(['88.100.5'], { tlog: {} });
  await put('88.100.5/V-1', 'https://example.com/1');
});
afterAll(async () => {
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
      'answer-signature:skipped',
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
