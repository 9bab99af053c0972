import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, runCli } from '../cli/cli-helpers.ts';
import { putRecord } from '../helpers/test-node.ts';
import { startHandleNode, type HandleTestNode } from './handle-node.ts';

let node: HandleTestNode;
beforeAll(async () => {
  node = await startHandleNode(['88.100.5']);
  await putRecord(
    node.url,
    '88.100.5/CLI-H',
    [{ index: 1, type: 'URL', data: 'https://e.org/h' }],
    node.adminAuth('88.100.5'),
  );
});
afterAll(() => node.close());

describe('idnode resolve --handle-protocol', () => {
  it.each([
    [['--handle-protocol'], 'tcp'],
    [['--handle-protocol', '--udp'], 'udp'],
  ])('%j answers with the --json shape of resolve, over %s', async (flags, via) => {
    const args = ['resolve', '88.100.5/CLI-H', '--url', node.url, '--handle-port', String(node.handle.port), '--json'];
    const r = await runCli([...args, ...flags]);
    expect(r.code).toBe(0);
    const doc = jsonLines(r)[0]!;
    expect(doc).toMatchObject({ responseCode: 1, handle: '88.100.5/CLI-H', transport: via });
    expect((doc.values as { index: number; data: { value: string } }[])[0]).toMatchObject({
      index: 1,
      type: 'URL',
      data: { format: 'string', value: 'https://e.org/h' },
      ttl: 86_400,
      access: 'public',
    });
  });

  it('keeps the exit codes: 3 not found, 5 nobody listening', async () => {
    const base = ['--url', node.url, '--handle-protocol', '--json'];
    const miss = await runCli(['resolve', '88.100.5/NOPE', ...base, '--handle-port', String(node.handle.port)]);
    expect(miss.code).toBe(3);
    expect(jsonLines(miss)[0]).toMatchObject({ responseCode: 100 });
    expect((await runCli(['resolve', '88.100.5/X', ...base, '--handle-port', '1'])).code).toBe(5);
  });
});
