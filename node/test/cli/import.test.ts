import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NodeProcess } from '../helpers/spawn-node.ts';
import { countImported, jsonLines, progressPast, runCli, useCliNode, writeNdjson } from './cli-helpers.ts';

/*
 * `idnode import` resumes after a SIGKILL without duplicates. The 1,000,000-line figure is
 * `npm run bench:import`; here 20,000 lines, killed at the first progress report past 8,000.
 */

// Large enough that the kill at 40 % lands before the last chunk on a quiet machine (20,000 lines
// were all imported before the SIGKILL arrived once the import got faster).
const LINES = 50_000;
let dir: string;
let node: NodeProcess;
let env: Record<string, string>;

const cli = useCliNode('idnode-cli-import-');
beforeAll(() => void ({ dir, node, env } = cli));

describe('idnode import', () => {
  it('killed half-way, re-run resumes from the checkpoint: exactly N identifiers, no duplicates, no errors', async () => {
    const file = join(dir, 'items.ndjson');
    await writeNdjson(file, LINES);
    const args = ['import', file, '--prefix', '88.100.5', '--json', '--chunk', '500', '--parallel', '4'];
    const first = await runCli(args, { env, killWhen: progressPast(LINES * 0.4) });
    expect(first.signal).toBe('SIGKILL');
    const cp = JSON.parse(await readFile(`${file}.idnode-import.json`, 'utf8')) as { line: number; complete: boolean };
    expect(cp.complete).toBe(false);
    expect(cp.line).toBeGreaterThan(0);
    expect(cp.line).toBeLessThan(LINES);
    const second = await runCli(args, { env });
    expect(second.code, second.stderr).toBe(0);
    const summary = jsonLines(second).at(-1)!;
    // This run's count, the earlier run's and the total, each labelled (issue 14).
    const resumedAt = cp.line + 1;
    expect(jsonLines(second)[0]).toMatchObject({ event: 'resumed', line: resumedAt, earlier: { imported: cp.line } });
    expect(summary).toMatchObject({
      ok: true,
      imported: LINES - cp.line,
      failed: 0,
      lines: LINES,
      resumedAtLine: resumedAt,
      earlier: { imported: cp.line, failed: 0 },
      total: { imported: LINES, failed: 0 },
    });
    expect(await countImported(node.url, '88.100.5')).toEqual({ count: LINES, distinct: LINES });
    expect(await readFile(`${file}.errors.ndjson`, 'utf8')).toBe('');
    // A third run has nothing left to do.
    const third = await runCli(args, { env });
    expect(third.code).toBe(0);
    expect(jsonLines(third).at(-1)).toMatchObject({ alreadyComplete: true });
    console.log(`import: killed at checkpoint line ${cp.line} of ${LINES}; resumed run ${JSON.stringify(summary)}`);
  }, 180_000);

  it('CSV with typed columns; bad lines go to the error report with their line numbers and exit 1', async () => {
    const file = join(dir, 'items.csv');
    const csv = [
      'suffix,url,EMAIL',
      'CSV-1,https://passport.example/csv-1,service@example.com',
      '"CSV-2","https://passport.example/csv-2",',
      'CSV 3,https://passport.example/csv-3,',
      'CSV-4,"unterminated',
      'CSV-5,https://passport.example/csv-5',
    ].join('\n');
    await writeFile(file, `${csv}\n`);
    const r = await runCli(['import', file, '--prefix', '88.100.5', '--json'], { env });
    expect(r.code).toBe(1);
    expect(jsonLines(r).at(-1)).toMatchObject({ ok: false, imported: 2, failed: 3 });
    const errors = (await readFile(`${file}.errors.ndjson`, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { line: number; code: string });
    expect(errors.map((e) => e.line)).toEqual([4, 5, 6]);
    expect(errors[0]!.code).toBe('IDN_ERR_WHITESPACE');
    expect(errors[1]!.code).toBe('CLI_ERR_BAD_CSV');
    const got = jsonLines(await runCli(['resolve', '88.100.5/CSV-1', '--json'], { env }))[0]!;
    expect(got.values).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          index: 2,
          type: 'EMAIL',
          data: expect.objectContaining({ value: 'service@example.com' }) as unknown,
        }),
      ]),
    );
  });

  it('refuses a bad CSV header and a missing prefix with exit 2', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(file, 'name,link\nX,https://x\n');
    expect((await runCli(['import', file, '--prefix', '88.100.5'], { env })).code).toBe(2);
    const nd = join(dir, 'noprefix.ndjson');
    await writeFile(nd, '{"suffix":"A","values":[]}\n');
    expect((await runCli(['import', nd], { env })).code).toBe(2);
  });
});
