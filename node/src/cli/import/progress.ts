import cliProgress from 'cli-progress';
import type { Output } from '../output.ts';

export interface ProgressState {
  readonly line: number;
  readonly bytes: number;
  readonly totalBytes: number;
  readonly ok: number;
  readonly failed: number;
}

/**
 * A bar with rate and ETA on a terminal; with --json a progress line per second on stdout; a
 * plain status line every 5 s on stderr otherwise (logs of unattended runs).
 */
export function createProgress(out: Output, startBytes: number, startLines: number) {
  const started = performance.now();
  const tty = !out.json && process.stderr.isTTY;
  const bar = tty
    ? new cliProgress.SingleBar(
        {
          format: '{bar} {percentage}% | {lines} lines | {rate} lines/s | ETA {eta_formatted} | {failed} failed',
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  let last: ProgressState | undefined;
  const stats = (s: ProgressState) => {
    const secs = Math.max(0.001, (performance.now() - started) / 1000);
    const rate = Math.round((s.line - startLines) / secs);
    const byteRate = (s.bytes - startBytes) / secs;
    const etaSeconds = byteRate > 0 ? Math.round((s.totalBytes - s.bytes) / byteRate) : null;
    return { rate, etaSeconds, elapsedSeconds: Math.round(secs * 10) / 10 };
  };
  const emit = () => {
    if (last === undefined) return;
    const st = stats(last);
    if (bar) bar.update(last.bytes, { lines: last.line, rate: st.rate, failed: last.failed });
    else
      out.event(
        { event: 'progress', ...last, ...st },
        () =>
          `import: line ${last!.line}, ${last!.ok} ok, ${last!.failed} failed, ${st.rate} lines/s, ETA ${st.etaSeconds ?? '?'} s`,
      );
  };
  const timer = setInterval(emit, bar ? 200 : out.json ? 1000 : 5000);
  timer.unref();
  return {
    start(total: number) {
      bar?.start(total, startBytes, { lines: startLines, rate: 0, failed: 0 });
    },
    update(s: ProgressState) {
      last = s;
    },
    stop(): ReturnType<typeof stats> {
      clearInterval(timer);
      emit();
      bar?.stop();
      return last === undefined
        ? stats({ line: startLines, bytes: startBytes, totalBytes: 0, ok: 0, failed: 0 })
        : stats(last);
    },
  };
}
