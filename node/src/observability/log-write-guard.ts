/**
 * Log destinations (pino / sonic-boom) on a failing disk. Unguarded, a failed write re-emits
 * 'error' with no listener: the process throws, and pino's exit flush then retries the write every
 * 100 ms forever, so a full disk froze the node (neither serving nor exiting). Guarded, a failed
 * write is counted (idnode_log_write_failures_total), reported on stderr at most once per interval
 * per log, and never reaches a request; the lines wait in memory up to a bound and are written
 * once space returns, lines beyond the bound are dropped and counted.
 */

/** Which log failed: a bounded label. */
export type LogName = 'audit-reads' | 'audit-changes' | 'audit-auth' | 'stdout';

/** At most this many bytes of lines wait for a failing disk (sonic-boom's maxLength). */
export const LOG_BUFFER_MAX_BYTES = 16 * 1024 * 1024;
const REPORT_INTERVAL_MS = 60_000;

/** The part of a sonic-boom destination the guard uses. */
export interface GuardedSink {
  on(event: 'error', cb: (err: Error) => void): unknown;
  on(event: 'write' | 'drop', cb: () => void): unknown;
  flushSync(): void;
}

/** Failed writes and dropped lines per log since start; the metrics read them at scrape time. */
export const logWriteTally = {
  failures: new Map<LogName, number>(),
  dropped: new Map<LogName, number>(),
};

const add = (m: Map<LogName, number>, log: LogName): void => void m.set(log, (m.get(log) ?? 0) + 1);

export interface GuardOptions {
  /** Where the once-per-interval report goes (stderr: the failing log may be stdout). */
  readonly report?: (line: string) => void;
  /** A monotonic clock for the interval (performance.now by default). */
  readonly nowMs?: () => number;
}

export function guardLogSink(sink: GuardedSink, log: LogName, opts: GuardOptions = {}): void {
  const report = opts.report ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const nowMs = opts.nowMs ?? (() => performance.now());
  const flushSync = sink.flushSync.bind(sink);
  let lastReport = -Infinity;
  let failing = false;
  sink.on('error', (err: Error) => {
    add(logWriteTally.failures, log);
    // Exit must not wait forever on a disk that stays full; restored by the next successful write.
    failing = true;
    sink.flushSync = () => undefined;
    if (nowMs() - lastReport < REPORT_INTERVAL_MS) return;
    lastReport = nowMs();
    const raw = (err as { code?: unknown }).code;
    const code = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : err.message;
    report(
      JSON.stringify({
        level: 40,
        log: 'logging',
        failedLog: log,
        code,
        failures: logWriteTally.failures.get(log),
        msg: `the ${log} log cannot be written (${code}): resolution goes on, lines wait in memory up to ${LOG_BUFFER_MAX_BYTES} bytes and are dropped beyond (idnode_log_write_failures_total); free space on its disk`,
      }),
    );
  });
  sink.on('write', () => {
    if (!failing) return;
    failing = false;
    sink.flushSync = flushSync;
  });
  sink.on('drop', () => add(logWriteTally.dropped, log));
}
