import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ADMIN_SECRET,
  adminEnv,
  countImported,
  jsonLines,
  progressPast,
  runCli,
  type CliRun,
} from '../../node/test/cli/cli-helpers.ts';
import { freePort, spawnNode, type NodeProcess } from '../../node/test/helpers/spawn-node.ts';

/**
 * One `idnode import` of an NDJSON file into a real node process, with a crash: at the first
 * progress report past half the file, the NODE is killed with SIGKILL (not the CLI) and started
 * again on the same data and port. The CLI retries the chunks that were in flight (its
 * checkpoint only advances over acknowledged ones); if it gave up, it is run again and resumes
 * from its checkpoint. Afterwards the node must hold exactly `lines` identifiers, and every line
 * the checkpoint had acknowledged before the kill is among them.
 */

export interface ImportRunOptions {
  readonly label: string;
  readonly dir: string;
  readonly file: string;
  readonly lines: number;
  readonly chunk: number;
  readonly parallel: number;
  /** Store settings for the node (empty: LMDB under the data dir; IDNODE_REDIS_URL: Redis). */
  readonly storeEnv: Record<string, string>;
}

export interface ImportRunResult {
  readonly label: string;
  readonly lines: number;
  /** Lines the CLI's checkpoint had acknowledged when the node was killed. */
  readonly ackedBeforeKill: number;
  readonly killedAtProgressLine: number;
  /** From SIGKILL until the restarted node answered /livez. */
  readonly downtimeSeconds: number;
  /** 'cli-retry': the running CLI carried on; 'cli-rerun': a second run resumed from the checkpoint. */
  readonly resumedBy: 'cli-retry' | 'cli-rerun';
  /** Wall time of the import: first CLI start to last CLI exit (the crash included). */
  readonly seconds: number;
  readonly linesPerSecond: number;
  /** The same rate without the node's downtime (what the write path itself sustained). */
  readonly linesPerSecondExcludingDowntime: number;
  readonly identifiers: number;
  readonly distinct: number;
  readonly errorLines: number;
  /** The error report's lines by code (e.g. a line stored but answered IDN_ERR_ALREADY_EXISTS after the crash). */
  readonly errorCodes: Readonly<Record<string, number>>;
  readonly ok: boolean;
}

function codeCounts(report: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const l of report.split('\n')) {
    if (l === '') continue;
    const code = (JSON.parse(l) as { code?: string }).code ?? 'unknown';
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

const PREFIX = '88.100.5';

async function checkpointLine(file: string): Promise<number> {
  try {
    return (JSON.parse(await readFile(`${file}.idnode-import.json`, 'utf8')) as { line: number }).line;
  } catch {
    return 0;
  }
}

const completed = (run: CliRun): boolean => {
  const summary = jsonLines(run).at(-1);
  return run.code === 0 && summary?.ok === true;
};

export async function importWithCrash(o: ImportRunOptions): Promise<ImportRunResult> {
  const port = await freePort();
  const env = {
    ...o.storeEnv,
    IDNODE_DATA_DIR: join(o.dir, 'data'),
    IDNODE_ADMIN_SECRET: ADMIN_SECRET,
    IDNODE_LOG_LEVEL: 'warn',
    IDNODE_HTTP_PORT: String(port),
  };
  let node: NodeProcess = await spawnNode(env, 60_000);
  const cliEnv = adminEnv(node.url);
  const args = ['import', o.file, '--prefix', PREFIX, '--json', '--chunk', String(o.chunk)];
  args.push('--parallel', String(o.parallel));
  const half = progressPast(Math.floor(o.lines / 2));
  let crash: Promise<void> | undefined;
  let acked = 0;
  let killedAt = 0;
  let downtime = 0;
  const crashNode = async (line: string): Promise<void> => {
    killedAt = (JSON.parse(line) as { line: number }).line;
    // Read before the kill: everything in the checkpoint now was acknowledged by the running node.
    acked = await checkpointLine(o.file);
    const down = performance.now();
    await node.stop('SIGKILL');
    node = await spawnNode(env, 60_000);
    downtime = (performance.now() - down) / 1000;
  };
  const t0 = performance.now();
  const first = await runCli(args, {
    env: cliEnv,
    killWhen: (line) => {
      if (crash === undefined && half(line)) crash = crashNode(line);
      return false;
    },
  });
  await crash;
  const rerun = completed(first) ? undefined : await runCli(args, { env: cliEnv });
  const seconds = (performance.now() - t0) / 1000;
  // Printed before the count: the rate stands even if the count below fails.
  process.stdout.write(
    `${o.label}: import done in ${seconds.toFixed(1)} s = ${Math.round(o.lines / seconds)} lines/s ` +
      `(${Math.round(o.lines / (seconds - downtime))} without the ${downtime.toFixed(1)} s down)\n`,
  );
  try {
    const { count, distinct } = await countImported(node.url, PREFIX);
    const errors = await readFile(`${o.file}.errors.ndjson`, 'utf8').catch(() => '');
    const errorLines = errors.split('\n').filter((l) => l !== '').length;
    const last = rerun ?? first;
    return {
      label: o.label,
      lines: o.lines,
      ackedBeforeKill: acked,
      killedAtProgressLine: killedAt,
      downtimeSeconds: downtime,
      resumedBy: rerun === undefined ? 'cli-retry' : 'cli-rerun',
      seconds,
      linesPerSecond: o.lines / seconds,
      linesPerSecondExcludingDowntime: o.lines / (seconds - downtime),
      identifiers: count,
      distinct,
      errorLines,
      errorCodes: codeCounts(errors),
      // Exactly `lines` distinct IMP- identifiers means every line, so every acknowledged one, is there.
      ok: completed(last) && crash !== undefined && count === o.lines && distinct === o.lines && errorLines === 0,
    };
  } finally {
    await node.stop();
  }
}
