import { readdir } from 'node:fs/promises';
import type { Watched } from './sampler.ts';

/**
 * --heap-snapshots <dir>: the nodes start with --heapsnapshot-signal=SIGWINCH and write into `dir`
 * (not SIGUSR2: close-with-grace, main.ts's shutdown, drains and exits on it; SIGWINCH is ignored by
 * default, so a stray one does nothing);
 * the soak takes one snapshot of each when the warm-up begins and one after the last window, both
 * outside the judged spans (a snapshot stops the process for seconds), so heap-diff.ts can say what
 * grew between them.
 */

export const snapshotArgs = (dir: string): string[] => ['--heapsnapshot-signal=SIGWINCH', `--diagnostic-dir=${dir}`];

const count = async (dir: string): Promise<number> =>
  (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.heapsnapshot')).length;

/** One snapshot of each node in turn; resolves when the node answers again (the snapshot is written synchronously). */
export async function takeSnapshots(
  dir: string,
  nodes: readonly Watched[],
  log: (line: string) => void,
): Promise<void> {
  for (const n of nodes) {
    const before = await count(dir);
    const t0 = performance.now();
    process.kill(n.pid, 'SIGWINCH');
    const deadline = Date.now() + 120_000;
    while ((await count(dir)) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await fetch(`${n.url}/livez`).then((r) => r.arrayBuffer());
    log(`heap snapshot of ${n.name} (pid ${n.pid}) in ${Math.round(performance.now() - t0)} ms: ${dir}`);
  }
}
