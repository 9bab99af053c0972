import { mkdir } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { searchKnee } from './lib/knee.ts';
import { machineInfo } from './lib/machine.ts';
import { makeTempDir, removeDir } from './lib/processes.ts';
import { soakMix } from './soak/mix.ts';
import { writeSoakReport } from './soak/report.ts';
import { sampleProcess, type ProcessSample, type Watched } from './soak/sampler.ts';
import {
  boundCriteria,
  latencyCriteria,
  processCriteria,
  rssSplit,
  type Spans,
  type TimedWindow,
} from './soak/verdict.ts';
import { asMeasurement, runWindow } from './soak/window.ts';
import { primeCache } from './soak/prime.ts';
import { prefill } from './soak/prefill.ts';
import { snapshotArgs, takeSnapshots } from './soak/snapshots.ts';
import { startUpstreamPair } from './upstream/federation.ts';
import { RECENT_LOG_CAPACITY } from '../node/src/store/recent-log.ts';

/**
 * npm run soak -- --minutes 30   A caching node in front of a secondary (real processes, mTLS gRPC),
 * the overload knee of the mix measured first (open-loop steps), then the mix (soak/mix.ts) at 70 %
 * of the knee for --minutes, in 10 s open-loop windows. Before the knee, outside every measurement,
 * a prefill (soak/prefill.ts) brings the bounded structures to their caps (both caches at
 * IDNODE_CACHE_MAX_MB = --cache-mb, the store's recent change-log tail at its capacity), and the
 * verdict checks they stay there: growth is judged at steady state, not while a cap is still being
 * approached. After each window: RSS and open fds of
 * every node process from /proc, heap used and active timers/handles from its /metrics, the
 * window's p99. Judged after warm-up (soak/verdict.ts); writes loadtest/results/soak-<start>.{json,md};
 * exits 1 when a criterion fails.
 * --rate n skips the knee search; --keys n (2000) --knee-p99-ms (50) --knee-step-s (5)
 * --knee-start (60) --share (0.7) --warmup-minutes (min(5, 20 %)) --cache-mb (4) --prefill-max-s (240)
 * --heap-snapshots dir (off by default; on: a V8 heap snapshot of each node at the start of the warm-up
 * and after the last window, for soak/heap-diff.ts) --out dir
 */

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    rate: { type: 'string' },
    keys: { type: 'string', default: '2000' },
    'knee-p99-ms': { type: 'string', default: '50' },
    'knee-step-s': { type: 'string', default: '5' },
    'knee-start': { type: 'string', default: '60' },
    share: { type: 'string', default: '0.7' },
    'warmup-minutes': { type: 'string' },
    // Below the registered identifiers' answers (2,000 x ~3 KB), so priming alone fills the secondary's
    // cache; the cap, not its size, is what is judged.
    'cache-mb': { type: 'string', default: '4' },
    'prefill-max-s': { type: 'string', default: '240' },
    'heap-snapshots': { type: 'string' },
    out: { type: 'string', default: join(import.meta.dirname, 'results') },
  },
});
const WINDOW_S = 10;
const minutes = Number(values.minutes);
const keys = Number(values.keys);
const kneeTarget = Number(values['knee-p99-ms']);
const warmupS = Math.round(60 * Number(values['warmup-minutes'] ?? Math.min(5, minutes * 0.2)));
const spanS = Math.round(Math.min(300, (minutes * 60 - warmupS) / 3));
const log = (line: string): void => void process.stderr.write(line + '\n');
const load = (): number[] => loadavg().map((x) => Number(x.toFixed(2)));

const startedAt = new Date().toISOString();
const dir = await makeTempDir();
const cacheMiB = Number(values['cache-mb']);
const cacheEnv = { IDNODE_CACHE_MAX_MB: String(cacheMiB) };
const FULL_SHARE = 0.95;
const snapDir = values['heap-snapshots'];
if (snapDir !== undefined) await mkdir(snapDir, { recursive: true });
const nodeArgs = snapDir === undefined ? [] : snapshotArgs(snapDir);
const pair = await startUpstreamPair(dir, keys, nodeArgs, cacheEnv, nodeArgs, cacheEnv);
let pass: boolean | undefined;
try {
  const mix = soakMix(keys, pair.secret);
  const targets = { caching: pair.caching.url, secondary: pair.secondary.url };
  const stepS = Number(values['knee-step-s']);
  // Cold caches and an unoptimised JIT would make the first knee steps look like overload.
  await primeCache(pair.caching.url, keys);
  // The secondary's cache serves only the mix's direct reads there (gRPC lookups read its store):
  // without this it fills at their pace and is still filling in the measured span.
  await primeCache(pair.secondary.url, keys);
  const watched: Watched[] = [pair.caching, pair.secondary];
  const filled = await prefill(mix, {
    url: targets,
    watched,
    writes: RECENT_LOG_CAPACITY,
    cacheCapMiB: cacheMiB,
    fullShare: FULL_SHARE,
    maxSeconds: Number(values['prefill-max-s']),
    log,
  });
  await runWindow(targets, mix, Number(values['knee-start']) / 2, WINDOW_S);
  const knee =
    values.rate === undefined
      ? await searchKnee(
          { startRate: Number(values['knee-start']), maxSteps: 10, targetP99Ms: kneeTarget, log },
          async (rate) => asMeasurement(await runWindow(targets, mix, rate, stepS), rate, stepS),
        )
      : undefined;
  const kneeRps = values.rate === undefined ? (knee?.best?.step.offered_rps ?? 0) : Number(values.rate) / 0.7;
  if (kneeRps <= 0) throw new Error('no knee step passed: the machine is too loaded to soak; pass --rate');
  const rate = Math.round(kneeRps * Number(values.share));
  log(`knee ${kneeRps} req/s; soaking at ${rate} req/s for ${minutes} min (load ${load().join(' ')})`);

  const samples: Record<string, ProcessSample[]> = Object.fromEntries(watched.map((w) => [w.name, []]));
  const windows: TimedWindow[] = [];
  const loads: { t_s: number; load: number[] }[] = [];
  if (snapDir !== undefined) await takeSnapshots(snapDir, watched, log);
  const t0 = performance.now();
  const take = async (): Promise<void> => {
    for (const w of watched) samples[w.name]!.push(await sampleProcess(w, t0));
    loads.push({ t_s: Math.round((performance.now() - t0) / 1000), load: load() });
  };
  await take();
  while (performance.now() - t0 < minutes * 60_000) {
    const w = await runWindow(targets, mix, rate, WINDOW_S);
    windows.push({ ...w, t_s: Math.round((performance.now() - t0) / 100) / 10 });
    await take();
    const c = samples[pair.caching.name]!.at(-1)!;
    const s = samples[pair.secondary.name]!.at(-1)!;
    log(
      `${windows.at(-1)!.t_s}s ${w.rps} req/s p99 ${w.p99_caching_ms}/${w.p99_secondary_ms} ms 5xx ${w.status5xx} | ` +
        `caching rss ${c.rss_mib} heap ${c.heap_used_mib} cache ${c.cache_mib} MiB fd ${c.fds} timers ${c.timers} | ` +
        `secondary rss ${s.rss_mib} heap ${s.heap_used_mib} cache ${s.cache_mib} MiB log ${s.recent_log_entries} ` +
        `fd ${s.fds} timers ${s.timers} | load ${load()[0]}`,
    );
  }
  if (snapDir !== undefined) await takeSnapshots(snapDir, watched, log);
  const spans: Spans = { warmupS, spanS, endS: windows.at(-1)?.t_s ?? 0 };
  const criteria = [
    ...watched.flatMap((w) => processCriteria(w.name, samples[w.name]!, spans)),
    ...latencyCriteria(windows, spans),
    // The caching node takes no writes (the mix writes to the secondary): its tail only has to stay under the cap.
    ...watched.flatMap((w) =>
      boundCriteria(w.name, samples[w.name]!, spans, {
        cacheMiB,
        fullShare: FULL_SHARE,
        recentLog: RECENT_LOG_CAPACITY,
        writes: w === pair.secondary,
      }),
    ),
  ];
  pass = criteria.every((c) => c.pass);
  const base = await writeSoakReport(values.out, {
    machine: machineInfo(),
    startedAt,
    finishedAt: new Date().toISOString(),
    command: `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim(),
    knee_rps: kneeRps,
    rate_rps: rate,
    knee_target_p99_ms: kneeTarget,
    knee_steps: knee?.steps ?? [],
    spans,
    caps: { cache_mib: cacheMiB, recent_log_entries: RECENT_LOG_CAPACITY },
    prefill: filled,
    information: watched.flatMap((w) => rssSplit(w.name, samples[w.name]!, spans)),
    load_averages: loads,
    windows,
    samples,
    criteria,
    pass,
  });
  for (const c of criteria) log(`${c.pass ? 'ok  ' : 'FAIL'} ${c.name}: ${c.first} -> ${c.last} (${c.limit})`);
  log(`report: ${base}.{json,md}`);
} finally {
  await pair.stop();
  await removeDir(dir);
}
process.exitCode = pass === true ? 0 : 1;
