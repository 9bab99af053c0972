import * as grpc from '@grpc/grpc-js';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseIdentifier } from '../../src/identifier/index.ts';
import type { ValueInput } from '../../src/records/schema.ts';
import { DEFAULT_TTL } from '../../src/records/validate-values.ts';
import type { HandleValue } from '../../src/records/types.ts';
import { openLmdbStore, type LmdbStore } from '../../src/store/lmdb-store.ts';
import type { ChangeEntry, ReadonlyStore } from '../../src/store/store.ts';
import { createSyncMount, nodeIdFromMetadata, provenanceKey, startSyncSender } from '../../src/sync/index.ts';
import type { SyncSender } from '../../src/sync/index.ts';
import { jsonLines, runCli, type CliRun } from '../cli/cli-helpers.ts';
import { allChanges, insecureClient, recordServiceOver, secondaryWriter } from '../sync/sync-harness.ts';
import type { TestNode } from '../helpers/test-node.ts';

/*
 * One small harness per write path, all with the same shape: attempt to create identifiers with
 * given (client-form) values, answer per attempt whether the path stored it or which IdnError
 * code it refused it with. The tests then read the store and its change log themselves.
 */

export interface Attempt {
  /** e.g. 88.100.5/BAD-PUT-3 */
  readonly handle: string;
  readonly values: readonly Record<string, unknown>[];
}

export interface Answer {
  readonly ok: boolean;
  readonly code?: string;
  /** HTTP status where the path has one per attempt. */
  readonly status?: number;
}

export type WritePath = (attempts: readonly Attempt[]) => Promise<Answer[]>;

const split = (handle: string): { prefix: string; suffix: string } => {
  const slash = handle.indexOf('/');
  return { prefix: handle.slice(0, slash), suffix: handle.slice(slash + 1) };
};

/** Attempts grouped by prefix, keeping each one's position in the input. */
function byPrefix(attempts: readonly Attempt[]): Map<string, { at: number; suffix: string; attempt: Attempt }[]> {
  const groups = new Map<string, { at: number; suffix: string; attempt: Attempt }[]>();
  attempts.forEach((attempt, at) => {
    const { prefix, suffix } = split(attempt.handle);
    const g = groups.get(prefix) ?? [];
    g.push({ at, suffix, attempt });
    groups.set(prefix, g);
  });
  return groups;
}

/** PUT /api/handles/{id}?overwrite=false, one request per attempt. */
export const putPath =
  (node: TestNode, auth: string): WritePath =>
  async (attempts) => {
    const out: Answer[] = [];
    for (const a of attempts) {
      const res = await fetch(`${node.url}/api/handles/${a.handle}?overwrite=false`, {
        method: 'PUT',
        headers: { authorization: auth, 'content-type': 'application/json' },
        body: JSON.stringify({ values: a.values }),
      });
      const body = (await res.json()) as { code?: string };
      out.push({ ok: res.status === 201, status: res.status, ...(body.code ? { code: body.code } : {}) });
    }
    return out;
  };

export interface BatchLineResult {
  readonly position: number;
  readonly ok: boolean;
  readonly code?: string;
}

/** POST /api/admin/prefixes/{p}/identifiers:batch: one request per prefix, one NDJSON line per attempt. */
export async function postBatch(
  node: TestNode,
  auth: string | undefined,
  prefix: string,
  lines: readonly { suffix: string; values: readonly unknown[] }[],
): Promise<{ status: number; code?: string; lines?: BatchLineResult[] }> {
  const res = await fetch(`${node.url}/api/admin/prefixes/${prefix}/identifiers:batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson', ...(auth === undefined ? {} : { authorization: auth }) },
    body: lines.map((l) => JSON.stringify(l)).join('\n') + '\n',
  });
  const text = await res.text();
  if (res.status !== 200) {
    const code = (JSON.parse(text) as { code?: string }).code;
    return { status: res.status, ...(code === undefined ? {} : { code }) };
  }
  const results = text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as BatchLineResult);
  return { status: 200, lines: results };
}

export const batchPath =
  (node: TestNode, auth: string): WritePath =>
  async (attempts) => {
    const out: Answer[] = new Array<Answer>(attempts.length);
    for (const [prefix, group] of byPrefix(attempts)) {
      const r = await postBatch(
        node,
        auth,
        prefix,
        group.map((g) => ({ suffix: g.suffix, values: g.attempt.values })),
      );
      group.forEach((g, i) => {
        const line = r.lines?.find((l) => l.position === i);
        out[g.at] =
          r.status !== 200
            ? { ok: false, status: r.status, ...(r.code ? { code: r.code } : {}) }
            : { ok: line?.ok === true, ...(line?.code ? { code: line.code } : {}) };
      });
    }
    return out;
  };

export interface CliImport {
  readonly runs: CliRun[];
  /** Everything the CLI printed and wrote beside the input (error reports, checkpoints). */
  readonly files: string[];
}

/** How `idnode import` reads a file: the format decides which attempts a file can carry at all. */
export type ImportFormat = 'ndjson' | 'csv';

const CSV_COLUMNS = ['DESC', 'EMAIL', 'KIND'] as const;

/**
 * The CSV line for an attempt, or undefined when CSV cannot say it. A CSV file has a `url`
 * column (value 1, type URL) and typed string columns (values 2, 3, ... in column order): only
 * string values, no index, ttl or access of one's own.
 */
export function csvLine(suffix: string, values: readonly Record<string, unknown>[]): string | undefined {
  const cells: Record<string, string> = {};
  for (const v of values) {
    const d = v.data as { format?: unknown; value?: unknown } | string;
    const text = typeof d === 'string' ? d : d.format === 'string' && typeof d.value === 'string' ? d.value : undefined;
    if (text === undefined || v.access !== undefined || v.ttl !== undefined) return undefined;
    const col = v.type === 'URL' && v.index === 1 ? 'url' : String(v.type);
    if (col !== 'url' && !(CSV_COLUMNS as readonly string[]).includes(col)) return undefined;
    if (cells[col] !== undefined) return undefined;
    cells[col] = text;
  }
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  if (/[\r\n]/.test(Object.values(cells).join(''))) return undefined;
  return [suffix, cells.url ?? '', ...CSV_COLUMNS.map((c) => cells[c] ?? '')].map(quote).join(',');
}

/**
 * `idnode import <file>` (the real CLI process) into the node: one file and one run per prefix.
 * Per-line refusals come from the CLI's error report (`<file>.errors.ndjson`: line and code).
 */
export function importPath(env: Record<string, string>, format: ImportFormat, printed: CliImport): WritePath {
  return async (attempts) => {
    const dir = await mkdtemp(join(tmpdir(), `idnode-bad-import-${format}-`));
    const out: Answer[] = new Array<Answer>(attempts.length);
    let n = 0;
    for (const [prefix, group] of byPrefix(attempts)) {
      const file = join(dir, `items-${n++}.${format}`);
      const header = format === 'csv' ? [`suffix,url,${CSV_COLUMNS.join(',')}`] : [];
      const body = group.map((g) =>
        format === 'csv'
          ? csvLine(g.suffix, g.attempt.values)!
          : JSON.stringify({ suffix: g.suffix, values: g.attempt.values }),
      );
      await writeFile(file, [...header, ...body].join('\n') + '\n');
      const run = await runCli(['import', file, '--prefix', prefix, '--json'], { env });
      printed.runs.push(run);
      const report = await readFile(`${file}.errors.ndjson`, 'utf8').catch(() => '');
      printed.files.push(report);
      const errors = new Map(
        report
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as { line: number; code: string })
          .map((e) => [e.line, e.code]),
      );
      const summaryCode = jsonLines(run).at(-1)?.code;
      // A run that failed as a whole (exit 2/3) stored nothing: every line is refused with its code.
      const whole =
        run.code === 0 || run.code === 1
          ? undefined
          : typeof summaryCode === 'string'
            ? summaryCode
            : `exit ${run.code}`;
      group.forEach((g, i) => {
        const code = errors.get(i + 1 + header.length);
        out[g.at] = code === undefined && whole === undefined ? { ok: true } : { ok: false, code: code ?? whole! };
      });
    }
    return out;
  };
}

/**
 * Values as a secondary's store holds them (what the sync sender reads), built from client
 * values without any rule: a secondary with legacy data or a hostile one.
 */
export function storedForm(values: readonly Record<string, unknown>[], now: string): HandleValue[] {
  return values.map((v) => {
    const d = v.data as { format: string; value: unknown } | string;
    return {
      index: v.index as number,
      type: v.type as string,
      data: typeof d === 'string' ? { format: 'string', value: d } : d,
      ttl: (v.ttl as number | undefined) ?? DEFAULT_TTL,
      timestamp: now,
      access: (v.access as HandleValue['access'] | undefined) ?? 'public',
    };
  });
}

export interface SyncRig {
  /** The secondary's store: tests write hostile records into it directly. */
  readonly secondary: LmdbStore;
  /** Writes through the secondary's own RecordService (what a healthy secondary holds). */
  readonly writer: ReturnType<typeof secondaryWriter>;
  readonly sender: SyncSender;
  /** Every error the top-level acked, in order (the sender's onRefused). */
  readonly refused: string[];
  /** Waits until the top-level acked everything the secondary's log holds. */
  caughtUp(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A real upward sync into the node: the node's RecordService behind a real Sync gRPC service
 * (createSyncMount, as main.ts mounts it on a top-level node), fed by a real sender streaming a
 * secondary's LMDB change log. `allowed`: the prefixes delegated to NODE_ID.
 */
export async function startSyncRig(node: TestNode, nodeId: string, allowed: readonly string[]): Promise<SyncRig> {
  const server = new grpc.Server();
  const delegated = (id: string) => (id === nodeId ? allowed : undefined);
  createSyncMount({ records: node.ctx.records, nodeIdOf: nodeIdFromMetadata, allowedPrefixes: delegated })(server);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  const dir = await mkdtemp(join(tmpdir(), 'idnode-bad-sync-'));
  const secondary = await openLmdbStore({ path: join(dir, 'lmdb') });
  const refused: string[] = [];
  const sender = startSyncSender({
    store: secondary,
    connect: insecureClient(port),
    nodeId,
    pollMs: 10,
    backoff: { baseMs: 20, maxMs: 200 },
    onRefused: (e) => refused.push(e.code),
  });
  return {
    secondary,
    writer: secondaryWriter(recordServiceOver(secondary)),
    sender,
    refused,
    async caughtUp() {
      if (!(await sender.caughtUp(20_000))) throw new Error('the sync did not catch up in 20 s');
    },
    async close() {
      await sender.stop();
      server.forceShutdown();
      await secondary.close();
    },
  };
}

/** Sync apply: each attempt is a record the secondary holds unchecked, pushed up by the real sender. */
export const syncPath =
  (rig: SyncRig): WritePath =>
  async (attempts) => {
    const out: Answer[] = [];
    for (const a of attempts) {
      const id = parseIdentifier(a.handle, 'text');
      const values = storedForm(a.values, new Date().toISOString());
      const before = rig.refused.length;
      await rig.secondary.put(id.key, { handle: id.handle, values }, { expectAbsent: true }, { actor: 'legacy' });
      await rig.caughtUp();
      const code = rig.refused[before];
      out.push(code === undefined ? { ok: true } : { ok: false, code });
    }
    return out;
  };

/** Client values typed for RecordService-level writers (the schema type is checked at runtime). */
export const asValueInputs = (values: readonly Record<string, unknown>[]): readonly ValueInput[] =>
  values as unknown as readonly ValueInput[];

/** Every trace an identifier left: its record, its sync provenance, and its entries in `log`. */
export async function tracesOf(
  store: ReadonlyStore,
  handle: string,
  log: readonly ChangeEntry[],
): Promise<{ record: unknown; provenance: unknown; entries: number }> {
  const key = parseIdentifier(handle, 'text').key;
  return {
    record: await store.get(key),
    provenance: await store.get(provenanceKey(key)),
    entries: log.filter((e) => e.key === key || e.key === provenanceKey(key)).length,
  };
}

/** Change-log entries after `afterSeq`, however many. */
export async function changesAfter(store: ReadonlyStore, afterSeq: number): Promise<ChangeEntry[]> {
  const out: ChangeEntry[] = [];
  for (let after = afterSeq; ;) {
    const page = await store.changesSince(after, 10_000);
    if (page.length === 0) return out;
    out.push(...page);
    after = page[page.length - 1]!.seq;
  }
}

export { allChanges };
