import type { BenchReport, ScenarioResult } from './results.ts';

/** results/latest.md: the same figures as latest.json, for people. */

const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 3 });

function summaryTable(scenarios: readonly ScenarioResult[]): string[] {
  return [
    row([
      'scenario',
      'req/s',
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'p99.9 ms',
      'errors',
      'ratio to baseline',
      'cache hit rate',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...scenarios.map((s) =>
      row([
        s.name,
        fmt(s.rps),
        fmt(s.p50_ms),
        fmt(s.p90_ms),
        fmt(s.p99_ms),
        fmt(s.p999_ms),
        s.errors,
        fmt(s.ratio_to_baseline),
        hitRate(s),
      ]),
    ),
  ];
}

const hitRate = (s: ScenarioResult): string =>
  s.cache_hit_rate === undefined ? '-' : `${(s.cache_hit_rate * 100).toFixed(1)} %`;

/** LRU vs TinyLFU on the same trace and cache size, side by side. */
function admissionLines(scenarios: readonly ScenarioResult[]): string[] {
  const lru = scenarios.find((s) => s.name === 'admission-lru');
  const tiny = scenarios.find((s) => s.name === 'admission-tinylfu');
  if (!lru || !tiny) return [];
  return [
    '',
    '## Admission: LRU vs TinyLFU',
    '',
    'The same trace (Zipf(s=1) over the registered identifiers, half the requests a one-off scan) against two nodes ' +
      'with the same IDNODE_CACHE_MAX_MB, one with IDNODE_CACHE_POLICY=lru, one with tinylfu. Hit rate from ' +
      'idnode_cache_lookups_total over each run (median of rounds); a scanned identifier hits only when the Zipf half made it hot, so about 50 % is the ceiling.',
    '',
    row(['policy', 'cache hit rate', 'req/s', 'p99 ms', 'ratio to baseline']),
    row(['---', '---:', '---:', '---:', '---:']),
    ...[lru, tiny].map((s) => row([s.name, hitRate(s), fmt(s.rps), fmt(s.p99_ms), fmt(s.ratio_to_baseline)])),
    '',
    `TinyLFU / LRU: hit rate x${fmt((tiny.cache_hit_rate ?? 0) / (lru.cache_hit_rate || 1))}, ` +
      `throughput x${fmt(tiny.rps / (lru.rps || 1))}.`,
  ];
}

function pairsTable(scenarios: readonly ScenarioResult[]): string[] {
  const paired = scenarios.filter((s) => s.kind !== 'knee' && s.name !== 'baseline-bare-route');
  if (paired.length === 0) return [];
  return [
    '',
    '## Rounds (alternated pairs: baseline, then scenario)',
    '',
    row(['scenario', 'round', 'baseline req/s', 'scenario req/s', 'ratio', 'baseline p99 ms', 'scenario p99 ms']),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:']),
    ...paired.flatMap((s) =>
      s.rounds.map((r) =>
        row([s.name, r.round, fmt(r.baseline_rps), fmt(r.rps), fmt(r.ratio), fmt(r.baseline_p99_ms), fmt(r.p99_ms)]),
      ),
    ),
  ];
}

/** Timer granularity makes ~1-2 ms of send lag normal; much more means the harness lacked CPU. */
const STARVED_LAG_MS = 5;

const starved = (lagMs: number | undefined): string =>
  (lagMs ?? 0) > STARVED_LAG_MS
    ? ` **The generator sent up to ${fmt(lagMs ?? 0)} ms late (p99): the harness itself was short of CPU (busy machine), ` +
      'and these latencies include that.**'
    : '';

function openLoopLines(scenarios: readonly ScenarioResult[]): string[] {
  return scenarios
    .filter((s) => s.kind === 'open-loop')
    .flatMap((s) => [
      '',
      `## ${s.name}`,
      '',
      `Offered ${fmt(s.offered_rps ?? 0)} req/s (steady schedule, latency from the scheduled send time) to the node and, ` +
        `alternately, to the bare route. p99 ratio to baseline: ${fmt(s.p99_ratio_to_baseline ?? 0)}; ` +
        `generator send lag p99: ${fmt(s.send_lag_p99_ms ?? 0)} ms.${starved(s.send_lag_p99_ms)}`,
    ]);
}

function kneeLines(scenarios: readonly ScenarioResult[]): string[] {
  return scenarios
    .filter((s) => s.kind === 'knee')
    .flatMap((s) => [
      '',
      `## ${s.name}`,
      '',
      `Highest offered rate with p99 <= ${fmt(s.knee_target_p99_ms ?? 0)} ms and no errors: **${fmt(s.offered_rps ?? 0)} req/s** ` +
        `(${fmt(s.ratio_to_baseline)} x the baseline's closed-loop throughput in this run).` +
        starved(Math.max(0, ...(s.steps ?? []).map((x) => x.send_lag_p99_ms))),
      '',
      row(['offered req/s', 'achieved req/s', 'p50 ms', 'p99 ms', 'errors', 'send lag p99 ms', 'under target']),
      row(['---:', '---:', '---:', '---:', '---:', '---:', '---']),
      ...(s.steps ?? []).map((x) =>
        row([
          fmt(x.offered_rps),
          fmt(x.rps),
          fmt(x.p50_ms),
          fmt(x.p99_ms),
          x.errors,
          fmt(x.send_lag_p99_ms),
          x.under_target ? 'yes' : 'no',
        ]),
      ),
    ]);
}

function header(r: BenchReport): string[] {
  const m = r.machine;
  const st = r.settings;
  return [
    `# idnode load test (${st.mode})`,
    '',
    `Started ${r.startedAt}, finished ${r.finishedAt}.`,
    `Machine: ${m.cpus} x ${m.model}, ${m.memGiB} GiB, ${m.os}, Node ${m.node}; ` +
      `load average ${m.loadAvg.join(' / ')} at start, ${r.loadAvgAtEnd.join(' / ')} at end.`,
    `Settings: ${st.rounds} alternated round(s) of ${st.duration_s} s per closed-loop scenario, c=${st.connections}, ` +
      `${fmt(st.keys)} registered identifiers, seed ${st.seed}.`,
    '',
    'Figures are medians over rounds; ratios are medians of per-round pairs (scenario / baseline run just before it). ' +
      'Compare ratios, not absolute figures across runs. resolve-cache-hit is served by the in-process cache ' +
      '(checked: x-idnode-source: cache); resolve-store-hit, resolve-cold-lmdb and resolve-cold-redis run against ' +
      'nodes with IDNODE_CACHE=off.',
    '',
  ];
}

export function renderMarkdown(r: BenchReport): string {
  const lines = [
    ...header(r),
    ...summaryTable(r.scenarios),
    ...admissionLines(r.scenarios),
    ...pairsTable(r.scenarios),
    ...openLoopLines(r.scenarios),
    ...kneeLines(r.scenarios),
  ];
  return lines.join('\n') + '\n';
}
