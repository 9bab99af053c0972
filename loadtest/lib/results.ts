import type { MachineInfo } from './machine.ts';
import type { Measurement } from './measurement.ts';
import type { Percentiles } from './stats.ts';
import { median, round, safeRatio } from './stats.ts';

/** The shape of results/latest.json. */

export interface RoundSummary {
  readonly round: number;
  readonly rps: number;
  readonly p99_ms: number;
  readonly baseline_rps: number;
  readonly baseline_p99_ms: number;
  /** rps / baseline_rps of this pair. */
  readonly ratio: number;
}

export interface KneeStep {
  readonly offered_rps: number;
  readonly rps: number;
  readonly p50_ms: number;
  readonly p99_ms: number;
  readonly errors: number;
  /** How late the generator itself sent: large values mean the harness was starved of CPU. */
  readonly send_lag_p99_ms: number;
  readonly under_target: boolean;
}

export interface ScenarioResult extends Percentiles {
  readonly name: string;
  readonly kind: string;
  readonly target: string;
  readonly description: string;
  readonly rps: number;
  readonly errors: number;
  /** Median of the paired ratios (knee: highest rate under target / baseline closed-loop rps). */
  readonly ratio_to_baseline: number;
  readonly rounds: readonly RoundSummary[];
  readonly offered_rps?: number;
  /** Median over rounds of the node's cache hit rate (idnode_cache_lookups_total); absent without a cache. */
  readonly cache_hit_rate?: number;
  readonly p99_ratio_to_baseline?: number;
  readonly send_lag_p99_ms?: number;
  readonly knee_target_p99_ms?: number;
  readonly steps?: readonly KneeStep[];
}

export interface BenchSettings {
  readonly mode: string;
  readonly rounds: number;
  readonly duration_s: number;
  readonly connections: number;
  readonly keys: number;
  readonly seed: number;
}

export interface BenchReport {
  readonly machine: MachineInfo;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: BenchSettings;
  readonly loadAvgAtEnd: readonly number[];
  readonly scenarios: readonly ScenarioResult[];
}

/** Medians over rounds: one slow round (a neighbour's burst) does not move the figure. */
export function summarise(ms: readonly Measurement[]): Percentiles & { rps: number; errors: number } {
  const pick = (f: (m: Measurement) => number): number => round(median(ms.map(f)));
  return {
    rps: round(median(ms.map((m) => m.rps)), 1),
    p50_ms: pick((m) => m.p50_ms),
    p90_ms: pick((m) => m.p90_ms),
    p99_ms: pick((m) => m.p99_ms),
    p999_ms: pick((m) => m.p999_ms),
    errors: ms.reduce((n, m) => n + m.errors, 0),
  };
}

export interface Pair {
  readonly baseline: Measurement;
  readonly scenario: Measurement;
}

export function roundSummaries(pairs: readonly Pair[]): RoundSummary[] {
  return pairs.map((p, i) => ({
    round: i + 1,
    rps: p.scenario.rps,
    p99_ms: p.scenario.p99_ms,
    baseline_rps: p.baseline.rps,
    baseline_p99_ms: p.baseline.p99_ms,
    ratio: safeRatio(p.scenario.rps, p.baseline.rps),
  }));
}
