import type { ClosedResult, NativeReport } from './native-run.ts';

/** latest.md of `npm run bench`: the same figures as latest.json, for people. */

const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;
const fmt = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });
const ms = (us: number): string => fmt(us / 1000);

function verdict(ratio: number, target: number | undefined, atMost = true): string {
  if (target === undefined) return '';
  return (atMost ? ratio <= target : ratio >= target) ? ` (target ≤ ${target}: met)` : ` (target ≤ ${target}: NOT met)`;
}

function closedRows(closed: readonly ClosedResult[]): string[] {
  return [
    row(
      [
        'scenario',
        'req/s',
        'p50 ms',
        'p99 ms',
        'p99.9 ms',
        'server µs/req',
        'baseline req/s',
        'baseline µs/req',
      ].concat(['CPU ratio', 'req/s ratio', 'unexpected', 'note']),
    ),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---']),
    ...closed.map((c) =>
      row([
        c.name,
        fmt(c.node.rps),
        ms(c.node.p50_us),
        ms(c.node.p99_us),
        ms(c.node.p999_us),
        fmt(c.node.cpu_us_per_req),
        fmt(c.baseline.rps),
        fmt(c.baseline.cpu_us_per_req),
        `**${fmt(c.cpu_ratio)}**${verdict(c.cpu_ratio, c.cpu_target)}`,
        fmt(c.rps_ratio),
        c.node.unexpected + c.baseline.unexpected,
        c.generator_limited ?? '',
      ]),
    ),
  ];
}

export function renderNative(r: NativeReport): string {
  const m = r.machine;
  const s = r.settings;
  const lines = [
    `# idnode bench (${s.mode}) — wrk / h2load`,
    '',
    `Machine: ${m.cpus} × ${m.model}, ${m.memGiB} GiB, ${m.os}, Node ${m.node}.`,
    `Load average at start ${m.loadAvg.join(' ')}, at end ${r.loadAvgAtEnd.join(' ')} (shared machine: read the ratios).`,
    `${r.startedAt} .. ${r.finishedAt}; ${s.keyCount} identifiers; ${s.rounds} alternated rounds (baseline, node, ...)` +
      ` of ${s.durationS} s, \`wrk -t1 -c${s.connections}\`.`,
    '',
    'Server µs/req: utime+stime of all threads of the server process (/proc/<pid>/stat) over requests served.',
    'Ratios are node / baseline, paired per round, median over rounds. Baseline: fastify 5 + a Map of the same',
    'identifiers answering the same bytes (loadtest/servers/bare-mirror.ts).',
    '',
    ...closedRows(r.closed),
    '',
  ];
  if (r.flood_to_hit_rps !== undefined)
    lines.push(
      `Unknown-identifier flood keeps **${fmt(r.flood_to_hit_rps)}x** of the API cache-hit throughput` +
        `${r.flood_to_hit_rps >= 0.8 ? ' (target ≥ 0.8: met)' : ' (target ≥ 0.8: NOT met)'}.`,
      '',
    );
  const signed = r.signed_to_unsigned_cpu;
  if (signed !== undefined)
    lines.push(
      `A signed API cache hit costs **${fmt(signed)}x** the server CPU of an unsigned one` +
        `${signed <= 1.05 ? ' (target ≤ 1.05: met)' : ' (target ≤ 1.05: NOT met)'}.`,
      '',
    );
  if (r.latency.length > 0) {
    lines.push(
      row([
        'latency',
        'unloaded p50 ms (wrk -c1)',
        'baseline',
        'ratio',
        'paced req/s (h2load --rps)',
        'p99 ms',
        'baseline p99 ms',
        'p99 ratio',
      ]),
      row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
      ...r.latency.map((l) =>
        row([
          l.name,
          ms(l.unloaded_p50_us.node),
          ms(l.unloaded_p50_us.baseline),
          `**${fmt(l.unloaded_p50_us.ratio)}**${verdict(l.unloaded_p50_us.ratio, 1.2)}`,
          `${fmt(l.paced.offered_rps)} (got ${fmt(l.paced.node.rps)})`,
          ms(l.paced.node.p99Us),
          ms(l.paced.baseline.p99Us),
          `**${fmt(l.paced.p99_ratio)}**${verdict(l.paced.p99_ratio, 2)}`,
        ]),
      ),
      '',
    );
  }
  return lines.join('\n');
}
