import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { spawnNode } from '../node/test/helpers/spawn-node.ts';
import {
  ADMIN_SECRET,
  adminEnv,
  countImported,
  jsonLines,
  progressPast,
  runCli,
  writeNdjson,
} from '../node/test/cli/cli-helpers.ts';

/**
 * `npm run bench:import [-- --lines 1000000 --chunk 2000 --parallel 4]`: generates an NDJSON file,
 * imports it with `idnode import` into a real node process (own data dir), SIGKILLs the CLI
 * half-way, re-runs it (it resumes from its checkpoint), then counts the identifiers on the node:
 * exactly `lines`, all distinct. Prints the rate of each run and of the whole import.
 */

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    chunk: { type: 'string', default: '2000' },
    parallel: { type: 'string', default: '4' },
    keep: { type: 'boolean', default: false },
  },
});
const lines = Number(values.lines);
const dir = await mkdtemp(join(tmpdir(), 'idnode-import-bench-'));
const file = join(dir, 'items.ndjson');
const log = (m: string) => process.stdout.write(`${m}\n`);

let t = performance.now();
await writeNdjson(file, lines);
log(
  `generated ${lines} lines (${((await stat(file)).size / 1e6).toFixed(1)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
);
const node = await spawnNode({
  IDNODE_DATA_DIR: join(dir, 'data'),
  IDNODE_ADMIN_SECRET: ADMIN_SECRET,
  IDNODE_LOG_LEVEL: 'warn',
});
try {
  const args = [
    'import',
    file,
    '--prefix',
    '88.100.5',
    '--json',
    '--chunk',
    values.chunk,
    '--parallel',
    values.parallel,
  ];
  const env = adminEnv(node.url);
  t = performance.now();
  const first = await runCli(args, { env, killWhen: progressPast(Math.floor(lines / 2)) });
  const firstSeconds = (performance.now() - t) / 1000;
  const cp = JSON.parse(await readFile(`${file}.idnode-import.json`, 'utf8')) as { line: number };
  log(
    `run 1: SIGKILLed (${first.signal}) after ${firstSeconds.toFixed(1)} s, checkpoint at line ${cp.line}: ${Math.round(cp.line / firstSeconds)} lines/s`,
  );
  t = performance.now();
  const second = await runCli(args, { env });
  const secondSeconds = (performance.now() - t) / 1000;
  const done = jsonLines(second).at(-1) ?? {};
  log(
    `run 2: exit ${second.code}, resumed at line ${cp.line + 1}, ${lines - cp.line} lines in ${secondSeconds.toFixed(1)} s: ${Math.round((lines - cp.line) / secondSeconds)} lines/s; summary ${JSON.stringify(done)}`,
  );
  log(
    `whole import: ${lines} lines in ${(firstSeconds + secondSeconds).toFixed(1)} s = ${Math.round(lines / (firstSeconds + secondSeconds))} lines/s`,
  );
  t = performance.now();
  const { count, distinct } = await countImported(node.url, '88.100.5');
  log(
    `node holds ${count} imported identifiers (${distinct} distinct), expected ${lines}: ${count === lines && distinct === lines ? 'OK' : 'MISMATCH'} (counted in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
  const errors = await readFile(`${file}.errors.ndjson`, 'utf8');
  log(`error report: ${errors === '' ? 'empty' : `${errors.split('\n').length - 1} lines`}`);
  if (count !== lines || distinct !== lines || second.code !== 0) process.exitCode = 1;
} finally {
  await node.stop();
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}
