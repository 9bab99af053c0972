import type { Command } from 'commander';
import { chmod, copyFile, mkdir, readdir, readFile, readlink, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { open } from 'lmdb';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { CliError, EXIT, usage } from '../exit-codes.ts';
import { dataDirOf } from './data-dir.ts';

/**
 * Backup and restore of the embedded store (LMDB under <data>/lmdb). LMDB is multi-process safe,
 * so `backup` opens the running node's environment read-only and lets LMDB copy it inside one
 * read transaction (mdb_env_copy via lmdb-js backup()): a consistent snapshot while the node keeps
 * writing. `restore` replaces the data files and so refuses while any process has them open.
 */

// The seal key belongs with the store: without it the admins' sealed secret keys cannot be opened (ADR 0002).
// The signing key too: the HS_PUBKEY values in the store publish it (ADR 0011). And the log's and
// the witness's note keys: they are the log's identity to its witness and its verifiers (ADR 0012).
const SECRET_FILES = [
  'admin-credentials.json',
  'token-key',
  'seal-key',
  'signing-key',
  'tlog-key',
  'witness-key',
] as const;
const MANIFEST = 'idnode-backup.json';

interface Manifest {
  readonly format: 1;
  readonly createdAt: string;
  readonly source: string;
  readonly records: number;
  readonly files: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function countRecords(lmdbDir: string): Promise<number> {
  const root = open({ path: lmdbDir, readOnly: true, maxDbs: 8 });
  try {
    return root.openDB({ name: 'records' }).getCount();
  } finally {
    await root.close();
  }
}

async function backup(run: Run, dir: string, o: { dataDir?: string; compact?: boolean }) {
  const data = dataDirOf(o.dataDir);
  const source = join(data, 'lmdb');
  if (!(await exists(join(source, 'data.mdb'))))
    throw usage('CLI_ERR_NO_STORE', `no LMDB store at ${source} (--data-dir?).`);
  const target = resolve(dir);
  if (await exists(join(target, MANIFEST)))
    throw usage('CLI_ERR_BACKUP_EXISTS', `${target} already holds a backup; pick a new directory.`);
  await mkdir(join(target, 'lmdb'), { recursive: true });
  const started = performance.now();
  const env = open({ path: source, readOnly: true, maxDbs: 8 });
  try {
    // LMDB copies into a directory (the env is not NOSUBDIR): <target>/lmdb/data.mdb.
    await env.backup(join(target, 'lmdb'), o.compact === true);
  } finally {
    await env.close();
  }
  const files = ['lmdb/data.mdb'];
  for (const f of SECRET_FILES) {
    if (!(await exists(join(data, f)))) continue;
    await copyFile(join(data, f), join(target, f));
    await chmod(join(target, f), 0o600);
    files.push(f);
  }
  const manifest: Manifest = {
    format: 1,
    createdAt: new Date().toISOString(),
    source: data,
    records: await countRecords(join(target, 'lmdb')),
    files,
  };
  await writeFile(join(target, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  const ms = Math.round(performance.now() - started);
  run.out.result(
    { ok: true, dir: target, ms, ...manifest },
    () => `backed up ${manifest.records} records from ${data} to ${target} in ${ms} ms`,
  );
}

/** PIDs of processes holding a file under `dir` open (Linux /proc); a running node holds data.mdb and lock.mdb. */
async function holders(dir: string): Promise<number[]> {
  const found: number[] = [];
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((p) => /^[0-9]+$/.test(p) && Number(p) !== process.pid);
  } catch {
    return found;
  }
  for (const pid of pids) {
    const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      if (target.startsWith(`${dir}/`)) {
        found.push(Number(pid));
        break;
      }
    }
  }
  return found;
}

async function restore(run: Run, dir: string, o: { dataDir?: string }) {
  const from = resolve(dir);
  const manifest = await readFile(join(from, MANIFEST), 'utf8')
    .then((t) => JSON.parse(t) as Manifest)
    .catch(() => {
      throw usage('CLI_ERR_NOT_A_BACKUP', `${from} is not an idnode backup (no ${MANIFEST}).`);
    });
  const data = dataDirOf(o.dataDir);
  const lmdbDir = join(data, 'lmdb');
  const busy = await holders(lmdbDir);
  if (busy.length > 0)
    throw new CliError(
      EXIT.FAILED,
      'CLI_ERR_STORE_IN_USE',
      `the store ${lmdbDir} is in use (pid ${busy.join(', ')}): stop the node first, then restore.`,
      { pids: busy },
    );
  await mkdir(data, { recursive: true });
  // The current store is kept aside, never deleted: a restore into the wrong directory is recoverable.
  const keptAs = (await exists(lmdbDir)) ? `${lmdbDir}.before-restore-${Date.now()}` : undefined;
  if (keptAs !== undefined) await rename(lmdbDir, keptAs);
  await mkdir(lmdbDir, { recursive: true });
  await copyFile(join(from, 'lmdb', 'data.mdb'), join(lmdbDir, 'data.mdb'));
  for (const f of SECRET_FILES) {
    if (!manifest.files.includes(f)) continue;
    await copyFile(join(from, f), join(data, f));
    await chmod(join(data, f), 0o600);
  }
  const records = await countRecords(lmdbDir);
  run.out.result(
    { ok: true, dataDir: data, records, previous: keptAs },
    () => `restored ${records} records into ${data}${keptAs ? ` (previous store kept at ${keptAs})` : ''}`,
  );
}

export function registerBackupCommands(program: Command): void {
  const dataDir = '--data-dir <dir>';
  const dataHelp = 'the node data directory (env IDNODE_DATA_DIR; default ./data)';
  addGlobals(
    program
      .command('backup <dir>')
      .description('consistent copy of the embedded store (safe while the node runs) plus its key files')
      .option(dataDir, dataHelp)
      .option('--compact', 'compact while copying (slower, smaller)'),
  ).action(action(backup));
  addGlobals(
    program
      .command('restore <dir>')
      .description('put a backup in place (only while the node is stopped; the old store is kept aside)')
      .option(dataDir, dataHelp),
  ).action(action(restore));
}
