import { join } from 'node:path';
import { pino, type DestinationStream, type Logger } from 'pino';
import { guardLogSink, LOG_BUFFER_MAX_BYTES, type LogName } from '../observability/log-write-guard.ts';

/**
 * The audit trail, kept apart from the operational logs: who saw which non-public passport values
 * and why (reads), and who changed which record from which version to which (changes). JSON lines,
 * append-only, written through an asynchronous destination so the resolution path never waits on
 * the disk. Reopen (SIGHUP) lets logrotate move the files.
 */

/** One value as the audit names it: never its data, which may be confidential. */
export interface AuditedValue {
  readonly index: number;
  readonly type: string;
  readonly access: string;
}

export interface ReadAudit {
  /** The identifier asked for. */
  readonly identifier: string;
  /** The record that answered when it is not the identifier's own (template, batch, model, enterprise). */
  readonly answeredBy?: string;
  readonly resolvedVia?: string;
  readonly via: 'admin' | 'credential' | 'anonymous';
  readonly tier: string;
  readonly subject?: string;
  readonly purpose?: string;
  readonly issuer?: string;
  /** Which route disclosed it: 'api' (JSON), 'qr' (proxy / QR route), 'linkset', ... */
  readonly route: string;
  /** The non-public values (and links) disclosed. */
  readonly values: readonly AuditedValue[];
}

export interface ChangeAudit {
  readonly seq: number;
  readonly op: 'put' | 'delete';
  readonly identifier: string;
  readonly actor: string;
  readonly reason?: string;
  readonly previousVersion: number;
  readonly version: number;
  /** When the store committed it (the audit line's own time is when it was written). */
  readonly at: string;
  readonly values: readonly AuditedValue[];
}

/** A wrong-secret backoff began or an admin's failure budget ran out (auth/failure-limiter.ts). */
export interface AuthAudit {
  readonly event: string;
  readonly path: string;
  readonly client: string;
  readonly admin: string;
  readonly failures: number;
  readonly retryAfterSeconds: number;
}

export interface AuditLog {
  /** The directory of the files, for the audit read API (audit-query.ts); absent when nothing is audited. */
  readonly dir?: string;
  read(entry: ReadAudit): void;
  change(entry: ChangeAudit): void;
  /** auth.log: repeated wrong secrets (one line when a backoff starts or grows, not one per guess). */
  auth(entry: AuthAudit): void;
  /** Resolves once every line written so far is on disk (tests, shutdown). */
  flush(): Promise<void>;
  /** Reopens the files (after logrotate moved them). */
  reopen(): void;
  close(): Promise<void>;
}

/** For contexts with no data directory (some tests, tools): audits nothing. */
export const NO_AUDIT: AuditLog = {
  read: () => undefined,
  change: () => undefined,
  auth: () => undefined,
  flush: () => Promise.resolve(),
  reopen: () => undefined,
  close: () => Promise.resolve(),
};

export const READS_FILE = 'reads.log';
export const CHANGES_FILE = 'changes.log';
export const AUTH_FILE = 'auth.log';

type Sink = DestinationStream & {
  flush(cb: (err?: Error) => unknown): void;
  reopen(): void;
  end(): void;
  once(event: string, cb: () => void): void;
  on(event: string, cb: (err: Error) => void): unknown;
  flushSync(): void;
  fd: number;
};

/**
 * The lines of one event-loop turn reach the destination in one write. Line by line, sonic-boom
 * re-measures its pending buffer (Buffer.byteLength of up to 16 KiB) on every write, so a turn of
 * thousands of lines (the change audit of one bulk import commit) cost about as much CPU as the
 * commit itself; one write per turn costs a few microseconds per line.
 */
function perTurn(sink: Sink): { stream: DestinationStream; drain: () => void } {
  let pending = '';
  let scheduled = false;
  const drain = (): void => {
    scheduled = false;
    if (pending === '') return;
    const lines = pending;
    pending = '';
    sink.write(lines);
  };
  const write = (line: string): void => {
    pending += line;
    if (scheduled) return;
    scheduled = true;
    setImmediate(drain);
  };
  return { stream: { write }, drain };
}

/**
 * A change line exactly as the pino logger below writes it (level formatter, isoTime, then the
 * fields in order), built with one JSON.stringify: a bulk import audits thousands of changes per
 * commit, and pino's field-by-field serialisation cost more than planning them.
 */
const changeLine = (entry: ChangeAudit): string =>
  `{"log":"audit","time":"${new Date().toISOString()}",${JSON.stringify({ kind: 'change', ...entry }).slice(1)}\n`;

function openSink(
  file: string,
  log: LogName,
): { sink: Sink; logger: Logger; raw: DestinationStream; drain: () => void } {
  const sink = pino.destination({
    dest: file,
    sync: false,
    mkdir: true,
    append: true,
    maxLength: LOG_BUFFER_MAX_BYTES,
  }) as unknown as Sink;
  // A full disk must not stop resolution: failures are counted and reported, never thrown.
  guardLogSink(sink, log);
  const { stream, drain } = perTurn(sink);
  const logger = pino(
    {
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      // The audit is not leveled: every line is a fact, not a message of some severity.
      formatters: { level: () => ({ log: 'audit' }) },
    },
    stream,
  );
  return { sink, logger, raw: stream, drain };
}

function flushSink({ sink, drain }: { sink: Sink; drain: () => void }): Promise<void> {
  drain();
  return new Promise((resolve, reject) => {
    const go = () => sink.flush((err) => (err ? reject(err) : resolve()));
    // An asynchronous destination opens its file in the background; flush once it has.
    if (sink.fd < 0) sink.once('ready', go);
    else go();
  });
}

/** Audit files `reads.log` and `changes.log` in `dir` (usually `<dataDir>/audit`). */
export function openAuditLog(dir: string): AuditLog {
  const reads = openSink(join(dir, READS_FILE), 'audit-reads');
  const changes = openSink(join(dir, CHANGES_FILE), 'audit-changes');
  const auth = openSink(join(dir, AUTH_FILE), 'audit-auth');
  const all = [reads, changes, auth];
  return {
    dir,
    read: (entry) => reads.logger.info({ kind: 'read', ...entry }),
    change: (entry) => changes.raw.write(changeLine(entry)),
    auth: (entry) => auth.logger.info({ kind: 'auth', ...entry }),
    flush: async () => {
      await Promise.all(all.map(flushSink));
    },
    reopen: () => {
      // Lines written before the rotation belong in the old file.
      for (const s of all) s.drain();
      for (const s of all) s.sink.reopen();
    },
    close: async () => {
      await Promise.all(all.map(flushSink));
      for (const s of all) s.sink.end();
    },
  };
}
