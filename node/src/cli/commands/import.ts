import type { Command } from 'commander';
import { open, stat, truncate, type FileHandle } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { action, addGlobals, type Run } from '../command-kit.ts';
import { requireCredentials, type Credentials } from '../context.ts';
import { CliError, EXIT, usage } from '../exit-codes.ts';
import { errorFromResponse } from '../http-client.ts';
import { errorsPath, freshCheckpoint, readCheckpoint, writeCheckpoint, type Checkpoint } from '../import/checkpoint.ts';
import { firstLine, linesFrom } from '../import/lines.ts';
import { createProgress } from '../import/progress.ts';
import {
  csvHeader,
  parseCsv,
  parseNdjson,
  prefixOfNdjson,
  type CsvHeader,
  type Item,
  type Parsed,
} from '../import/records.ts';

/**
 * `idnode import <file>`: CSV or NDJSON into one prefix through the admin NDJSON batch endpoint.
 * Why the batch endpoint and not PUTs: one authenticated request per chunk of lines, and the
 * node commits a chunk's lines together (one durable sync for thousands of identifiers), instead
 * of one round trip, authentication and commit per identifier. Several chunks are in flight at
 * once; the checkpoint advances only over chunks that are acknowledged AND contiguous from the
 * start. A chunk is sent with the Idempotency-Key `<importId>:<first line>`: resumed with the same
 * chunk size (kept in the checkpoint), every chunk that may have been stored is re-sent whole with
 * its key, and its stored lines answer as replays.
 */

interface Opts {
  prefix?: string;
  format?: string;
  chunk: string;
  parallel: string;
  restart?: boolean;
}

interface ChunkLine {
  readonly no: number;
  readonly end: number;
  /** undefined: nothing to send (empty line, CSV header). */
  readonly parsed: Parsed | undefined;
}

interface ChunkResult {
  readonly lastNo: number;
  readonly end: number;
  readonly ok: number;
  readonly failed: number;
  readonly errors: string;
}

interface Job {
  readonly file: string;
  readonly run: Run;
  readonly auth: Credentials;
  readonly prefix: string;
  readonly importId: string;
}

const MAX_ATTEMPTS = 6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function positiveInt(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw usage('CLI_ERR_BAD_OPTION', `${flag} must be a whole number from 1 to ${max}.`);
  return n;
}

const FORMAT_OF_EXTENSION: Readonly<Record<string, 'csv' | 'ndjson'>> = {
  csv: 'csv',
  ndjson: 'ndjson',
  jsonl: 'ndjson',
};

/**
 * The format from --format, else from the extension. Any other extension (`.txt`, none) is refused
 * rather than guessed: read as NDJSON, a CSV named .txt failed on every line with JSON errors.
 */
function formatOf(file: string, flag: string | undefined): 'csv' | 'ndjson' {
  if (flag !== undefined) {
    if (flag !== 'csv' && flag !== 'ndjson')
      throw usage('CLI_ERR_BAD_FORMAT', `--format must be csv or ndjson, not ${flag}.`);
    return flag;
  }
  const ext = /\.([^./]+)$/.exec(file)?.[1]?.toLowerCase();
  const f = ext === undefined ? undefined : FORMAT_OF_EXTENSION[ext];
  if (f !== undefined) return f;
  throw usage(
    'CLI_ERR_UNKNOWN_FORMAT',
    `cannot tell whether ${basename(file)} is CSV or NDJSON from its name: pass --format csv or --format ndjson, ` +
      'or name it .csv, .ndjson or .jsonl.',
  );
}

const errorLine = (no: number, code: string, message: string): string =>
  `${JSON.stringify({ line: no, code, message })}\n`;

/** One chunk as one batch request; per-line results come back in input order. Retried when the node is unavailable. */
async function sendChunk(job: Job, lines: readonly ChunkLine[]): Promise<ChunkResult> {
  let errors = '';
  let failed = 0;
  const good: ChunkLine[] = [];
  for (const l of lines) {
    if (l.parsed === undefined) continue;
    if ('error' in l.parsed) {
      failed++;
      errors += errorLine(l.no, l.parsed.error.code, l.parsed.error.message);
    } else good.push(l);
  }
  const last = lines[lines.length - 1]!;
  const base = { lastNo: last.no, end: last.end };
  if (good.length === 0) return { ...base, ok: 0, failed, errors };
  const body = good
    .map((l) => {
      const item = (l.parsed as { item: Item }).item;
      return item.line ?? JSON.stringify({ suffix: item.suffix, values: item.values });
    })
    .join('\n');
  // One key per chunk, named by its first line: the node records the chunk's results once, in the
  // commit that stores its lines, and a re-sent chunk (same lines, same key) replays them.
  const key = `${job.importId}:${lines[0]!.no}`;
  const results = await postWithRetry(job, `${body}\n`, good.length, key);
  let ok = 0;
  results.forEach((r, i) => {
    if (r.ok === true) ok++;
    else {
      failed++;
      errors += errorLine(good[i]!.no, r.code ?? 'IDN_ERR_INTERNAL', r.message ?? 'failed');
    }
  });
  // Per-line errors go out in line order: sort the CLI's own and the node's together.
  const sorted =
    errors === ''
      ? ''
      : errors
          .trimEnd()
          .split('\n')
          .sort((a, b) => lineOf(a) - lineOf(b))
          .join('\n') + '\n';
  return { ...base, ok, failed, errors: sorted };
}

const lineOf = (json: string): number => (JSON.parse(json) as { line: number }).line;

interface ItemResult {
  readonly ok?: boolean;
  readonly code?: string;
  readonly message?: string;
  readonly fatal?: boolean;
}

/** The node writes a stored line as {"position":n,"ok":true,...}: those need no parse (most lines, in a bulk import). */
const OK_LINE = /^\{"position":\d+,"ok":true,/;
/** Line codes that say "try again" (HTTP 503), not "this line is wrong". */
const TRANSIENT: ReadonlySet<string> = new Set(['IDN_ERR_STORE_UNAVAILABLE', 'IDN_ERR_UNAVAILABLE']);
const itemResult = (line: string): ItemResult => (OK_LINE.test(line) ? { ok: true } : (JSON.parse(line) as ItemResult));

async function postWithRetry(job: Job, body: string, expected: number, key: string): Promise<ItemResult[]> {
  const path = `/api/admin/prefixes/${encodeURIComponent(job.prefix)}/identifiers:batch`;
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await job.run.client.request('POST', path, {
        auth: job.auth,
        raw: body,
        headers: { 'content-type': 'application/x-ndjson', 'idempotency-key': key },
        timeoutMs: 10 * 60_000,
      });
      if (!res.ok) throw await errorFromResponse(res);
      const results = (await res.text())
        .split('\n')
        .filter((l) => l !== '')
        .map(itemResult);
      // A cut stream ends with a fatal line or too few results: the whole chunk is sent again (replays are no-ops).
      if (results.length !== expected || results.some((r) => r.fatal === true))
        throw new CliError(
          EXIT.UNAVAILABLE,
          'CLI_ERR_BATCH_CUT',
          `the node answered ${results.length} of ${expected} lines.`,
        );
      // The store was unavailable for the chunk's commit (its outcome unknown, e.g. a Redis timeout):
      // the chunk is sent again with its key, so lines the commit did store answer as replays.
      if (results.some((r) => r.code !== undefined && TRANSIENT.has(r.code)))
        throw new CliError(EXIT.UNAVAILABLE, 'CLI_ERR_STORE_UNAVAILABLE', 'the node could not commit a chunk.');
      return results;
    } catch (e) {
      const retryable = e instanceof CliError && e.exit === EXIT.UNAVAILABLE;
      if (!retryable || attempt >= MAX_ATTEMPTS) throw e;
      await sleep(Math.min(5_000, 200 * 2 ** attempt));
    }
  }
}

/** Resumes from the checkpoint unless the input changed, or starts a fresh one. */
async function startingPoint(file: string, prefix: string, restart: boolean, chunk: number): Promise<Checkpoint> {
  const cp = restart ? undefined : await readCheckpoint(file);
  if (cp === undefined) return freshCheckpoint(file, prefix, chunk);
  const s = await stat(file);
  if (s.size !== cp.input.size || s.mtimeMs !== cp.input.mtimeMs)
    throw usage(
      'CLI_ERR_INPUT_CHANGED',
      `${file} changed since the interrupted import; re-run with --restart to import it anew.`,
    );
  if (cp.prefix.toLowerCase() !== prefix.toLowerCase())
    throw usage(
      'CLI_ERR_PREFIX_CHANGED',
      `the interrupted import was into ${cp.prefix}; use that prefix or --restart.`,
    );
  return cp;
}

async function prefixFor(file: string, o: Opts, format: 'csv' | 'ndjson'): Promise<string> {
  if (o.prefix !== undefined) return o.prefix;
  const first = format === 'ndjson' ? await firstLine(file) : undefined;
  const p = first === undefined ? undefined : prefixOfNdjson(first.text);
  if (p === undefined)
    throw usage('CLI_ERR_NO_PREFIX', 'give --prefix <prefix> (records with "handle" name it themselves).');
  return p;
}

async function csvHeaderOf(file: string): Promise<CsvHeader> {
  const first = await firstLine(file);
  const h = first === undefined ? { error: 'the file is empty.' } : csvHeader(first.text);
  if ('error' in h) throw usage('CLI_ERR_BAD_CSV_HEADER', h.error);
  return h;
}

async function importFile(run: Run, fileArg: string, o: Opts): Promise<number> {
  const file = resolve(fileArg);
  const size = await stat(file).then(
    (s) => s.size,
    () => {
      throw usage('CLI_ERR_NO_INPUT', `cannot read ${fileArg}.`);
    },
  );
  const format = formatOf(file, o.format);
  const askedChunk = positiveInt(o.chunk, '--chunk', 100_000);
  const parallel = positiveInt(o.parallel, '--parallel', 64);
  const header = format === 'csv' ? await csvHeaderOf(file) : undefined;
  const prefix = await prefixFor(file, o, format);
  const auth = await requireCredentials(run.globals);
  let cp = await startingPoint(file, prefix, o.restart === true, askedChunk);
  // A resumed import keeps its chunk boundaries, so each re-sent chunk carries the key it had.
  const chunkSize = cp.chunk ?? askedChunk;
  if (cp.complete) {
    run.out.result(
      { ...cp, ok: cp.failed === 0, imported: cp.ok, alreadyComplete: true },
      () => `already imported (${cp.ok} ok, ${cp.failed} failed); --restart to import again`,
    );
    return cp.failed === 0 ? EXIT.OK : EXIT.FAILED;
  }
  const earlier = { imported: cp.ok, failed: cp.failed, line: cp.line };
  if (earlier.line > 0) {
    run.out.event(
      { event: 'resumed', line: earlier.line + 1, earlier: { imported: earlier.imported, failed: earlier.failed } },
      () =>
        `resuming at line ${earlier.line + 1} (the earlier run imported ${earlier.imported} and failed ${earlier.failed}; ` +
        '--restart to import from the start)',
    );
  }
  await writeCheckpoint(file, cp);
  // Error lines past the checkpoint belong to lines that will be sent again: cut them off.
  const errorsFile = errorsPath(file);
  const errors: FileHandle = await open(errorsFile, 'a+');
  await truncate(errorsFile, cp.errorsBytes);
  const job: Job = { file, run, auth, prefix, importId: cp.importId };
  const progress = createProgress(run.out, cp.offset, cp.line);
  progress.start(size);
  const parse = (text: string): Parsed => (header === undefined ? parseNdjson(text, prefix) : parseCsv(text, header));

  // Chunks finish in any order; `done` holds them until every earlier chunk is in.
  const done = new Map<number, ChunkResult>();
  let nextToCommit = 0;
  let commitChain = Promise.resolve();
  const commit = (seq: number, r: ChunkResult): Promise<void> => {
    done.set(seq, r);
    commitChain = commitChain.then(async () => {
      while (done.has(nextToCommit)) {
        const c = done.get(nextToCommit)!;
        done.delete(nextToCommit++);
        if (c.errors !== '') await errors.appendFile(c.errors);
        cp = {
          ...cp,
          line: c.lastNo,
          offset: c.end,
          ok: cp.ok + c.ok,
          failed: cp.failed + c.failed,
          errorsBytes: cp.errorsBytes + Buffer.byteLength(c.errors),
        };
        await writeCheckpoint(file, cp);
        progress.update({ line: cp.line, bytes: cp.offset, totalBytes: size, ok: cp.ok, failed: cp.failed });
      }
    });
    return commitChain;
  };

  const inflight = new Set<Promise<void>>();
  let failure: unknown;
  let seq = 0;
  let chunk: ChunkLine[] = [];
  const dispatch = async () => {
    while (inflight.size >= parallel && failure === undefined) await Promise.race(inflight).catch(() => undefined);
    if (failure !== undefined) return;
    const mine = seq++;
    const lines = chunk;
    chunk = [];
    const p = sendChunk(job, lines)
      .then((r) => commit(mine, r))
      .catch((e: unknown) => {
        failure ??= e;
      });
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };
  for await (const l of linesFrom(file, cp.offset, cp.line + 1)) {
    const skip = l.text.trim() === '' || (header !== undefined && l.no === 1);
    chunk.push({ no: l.no, end: l.end, parsed: skip ? undefined : parse(l.text) });
    if (chunk.length >= chunkSize) await dispatch();
    if (failure !== undefined) break;
  }
  if (chunk.length > 0 && failure === undefined) await dispatch();
  await Promise.all(inflight);
  await commitChain;
  await errors.close();
  const st = progress.stop();
  if (failure instanceof Error) throw failure;
  if (failure !== undefined) throw new Error('import failed');
  cp = { ...cp, complete: true };
  await writeCheckpoint(file, cp);
  // This run's counts; a resumed run also names the earlier run's and the total, each labelled.
  const thisRun = { imported: cp.ok - earlier.imported, failed: cp.failed - earlier.failed };
  const resumed = earlier.line > 0;
  const summary = {
    ok: cp.failed === 0,
    ...thisRun,
    lines: cp.line,
    ...(resumed
      ? {
          resumedAtLine: earlier.line + 1,
          earlier: { imported: earlier.imported, failed: earlier.failed },
          total: { imported: cp.ok, failed: cp.failed },
        }
      : {}),
    ...st,
    errorsFile: cp.failed > 0 ? errorsFile : undefined,
  };
  const totals = resumed
    ? ` (resumed at line ${earlier.line + 1}; with the earlier run: ${cp.ok} imported, ${cp.failed} failed in all)`
    : '';
  run.out.result(
    summary,
    () =>
      `imported ${thisRun.imported} identifiers into ${prefix} (${thisRun.failed} failed${cp.failed > 0 ? `: see ${errorsFile}` : ''})${totals}, ${st.rate} lines/s over ${st.elapsedSeconds} s`,
  );
  return cp.failed === 0 ? EXIT.OK : EXIT.FAILED;
}

export function registerImportCommand(program: Command): void {
  addGlobals(
    program
      .command('import <file>')
      .description('bulk registration from CSV (suffix,url[,TYPE...]) or NDJSON ({suffix|handle, values}); resumable')
      .option('--prefix <prefix>', 'the prefix to register under (NDJSON lines with "handle" name it)')
      .option('--format <f>', 'csv or ndjson (default: from the file extension)')
      .option('--chunk <n>', 'lines per batch request', '2000')
      .option('--parallel <n>', 'batch requests in flight', '4')
      .option('--restart', 'ignore the checkpoint and import from the first line')
      .addHelpText(
        'after',
        '\nProgress: <file>.idnode-import.json (re-run the same command to resume); per-line errors: <file>.errors.ndjson.',
      ),
  ).action(action(importFile));
}
