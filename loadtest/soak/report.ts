import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MachineInfo } from '../lib/machine.ts';
import { median } from '../lib/stats.ts';
import type { KneeStep } from '../lib/results.ts';
import type { PrefillResult } from './prefill.ts';
import type { ProcessSample } from './sampler.ts';
import type { Criterion, Spans, TimedWindow } from './verdict.ts';

/** loadtest/results/soak-<start>.{json,md}: every sample, the knee steps and the verdict. */

export interface SoakReport {
  readonly machine: MachineInfo;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly command: string;
  readonly knee_rps: number;
  readonly rate_rps: number;
  readonly knee_target_p99_ms: number;
  readonly knee_steps: readonly KneeStep[];
  readonly spans: Spans;
  readonly load_averages: readonly { t_s: number; load: readonly number[] }[];
  readonly windows: readonly TimedWindow[];
  readonly samples: Readonly<Record<string, readonly ProcessSample[]>>;
  /** The bounds the steady state is judged at: IDNODE_CACHE_MAX_MB of both nodes, the recent change-log tail's capacity. */
  readonly caps: { readonly cache_mib: number; readonly recent_log_entries: number };
  readonly prefill: PrefillResult;
  readonly criteria: readonly Criterion[];
  /** Reported, not judged (the RSS split, the committed heap). */
  readonly information: readonly Criterion[];
  readonly pass: boolean;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function markdown(r: SoakReport): string {
  const requests = sum(r.windows.map((w) => w.rps * 10));
  const loads = r.load_averages.map((l) => l.load[0] ?? 0);
  const lines = [
    `# Soak ${r.startedAt}`,
    '',
    `\`${r.command}\`: ${r.machine.cpus} cores (${r.machine.model}), Node ${r.machine.node}.`,
    `Knee ${r.knee_rps} req/s (p99 <= ${r.knee_target_p99_ms} ms); soak at ${r.rate_rps} req/s for ` +
      `${Math.round(r.spans.endS / 60)} min, ~${Math.round(requests)} requests; warm-up ${r.spans.warmupS} s, ` +
      `first/last span ${r.spans.spanS} s.`,
    `Load average (1 min): start ${loads[0] ?? '?'}, median ${median(loads)}, max ${Math.max(...loads)}, ` +
      `end ${loads.at(-1) ?? '?'} ` +
      `(machine shared with other work).`,
    `Caps: cache ${r.caps.cache_mib} MiB (IDNODE_CACHE_MAX_MB on both nodes), recent change-log tail ` +
      `${r.caps.recent_log_entries} entries. Prefill before anything is measured: ${r.prefill.writes} writes, ` +
      `${r.prefill.unknowns} unknown identifiers in ${r.prefill.seconds} s (caches ${r.prefill.caches_full ? 'full' : 'NOT full'}: ` +
      `${Object.entries(r.prefill.cache_mib)
        .map(([n, m]) => `${n} ${m} MiB`)
        .join(', ')}).`,
    '',
    `**${r.pass ? 'PASS' : 'FAIL'}**`,
    '',
    '| criterion | first span | last span | limit | |',
    '| --- | --- | --- | --- | --- |',
    ...r.criteria.map((c) => `| ${c.name} | ${c.first} | ${c.last} | ${c.limit} | ${c.pass ? 'ok' : 'FAIL'} |`),
    '',
    'Not judged: the RSS split (/proc status RssAnon, RssFile) and the heap V8 has committed ' +
      '(idnode_nodejs_heap_size_total_bytes), medians of the same spans.',
    '',
    '| | first span | last span |',
    '| --- | --- | --- |',
    ...r.information.map((c) => `| ${c.name} | ${c.first} | ${c.last} |`),
    '',
    '## Knee steps',
    '',
    '| offered | achieved | p99 ms | errors | under target |',
    '| --- | --- | --- | --- | --- |',
    ...r.knee_steps.map((s) => `| ${s.offered_rps} | ${s.rps} | ${s.p99_ms} | ${s.errors} | ${s.under_target} |`),
    '',
  ];
  return lines.join('\n');
}

export async function writeSoakReport(dir: string, r: SoakReport): Promise<string> {
  await mkdir(dir, { recursive: true });
  const base = join(dir, `soak-${r.startedAt.replace(/[:.]/g, '-')}`);
  await writeFile(`${base}.json`, JSON.stringify(r, null, 2) + '\n');
  await writeFile(`${base}.md`, markdown(r));
  return base;
}
