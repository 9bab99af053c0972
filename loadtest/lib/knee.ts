import type { Scenario } from '../scenarios/registry.ts';
import type { Measurement } from './measurement.ts';
import type { KneeStep, ScenarioResult } from './results.ts';
import { safeRatio } from './stats.ts';

/**
 * The overload knee: the highest open-loop rate whose p99 stays under a target. Steps are short
 * open-loop runs; a step passes with p99 <= target, no errors and >= 95 % of the rate achieved.
 */

export interface KneeOptions {
  readonly startRate: number;
  readonly maxSteps: number;
  readonly targetP99Ms: number;
  readonly log: (line: string) => void;
}

interface Best {
  readonly step: KneeStep;
  readonly m: Measurement;
}

export interface KneeSearch {
  readonly steps: readonly KneeStep[];
  readonly best: Best | undefined;
}

function kneeStep(m: Measurement, rate: number, targetMs: number): KneeStep {
  return {
    offered_rps: rate,
    rps: m.rps,
    p50_ms: m.p50_ms,
    p99_ms: m.p99_ms,
    errors: m.errors,
    send_lag_p99_ms: m.sendLagP99Ms ?? 0,
    under_target: m.p99_ms <= targetMs && m.errors === 0 && m.rps >= 0.95 * rate,
  };
}

/**
 * Up by 25 % per step until a step fails. If the very first step fails (a loaded machine), halve
 * instead until one passes: a lower bound is worth more than no figure.
 */
export async function searchKnee(o: KneeOptions, run: (rate: number) => Promise<Measurement>): Promise<KneeSearch> {
  const steps: KneeStep[] = [];
  let best: Best | undefined;
  let rate = o.startRate;
  let descending = false;
  for (let i = 0; i < o.maxSteps && rate >= 1; i++) {
    const m = await run(rate);
    const step = kneeStep(m, rate, o.targetP99Ms);
    steps.push(step);
    o.log(
      `  knee: ${rate} req/s offered -> p99 ${m.p99_ms} ms, ${m.errors} errors${step.under_target ? '' : ' (over target)'}`,
    );
    if (step.under_target) best = { step, m };
    // Stop once the knee is bracketed: a pass after halving, or a failure after a pass.
    if ((step.under_target && descending) || (!step.under_target && best)) break;
    descending = !step.under_target;
    rate = Math.round(descending ? rate / 2 : rate * 1.25);
  }
  return { steps, best };
}

/** ratio_to_baseline of the knee: knee rate over the baseline's closed-loop throughput in the same run. */
export function kneeResult(s: Scenario, search: KneeSearch, targetP99Ms: number, baselineRps: number): ScenarioResult {
  const { steps, best } = search;
  return {
    name: s.name,
    kind: s.kind,
    target: s.target,
    description: s.description,
    rps: best?.step.rps ?? 0,
    p50_ms: best?.m.p50_ms ?? 0,
    p90_ms: best?.m.p90_ms ?? 0,
    p99_ms: best?.m.p99_ms ?? 0,
    p999_ms: best?.m.p999_ms ?? 0,
    errors: steps.reduce((n, x) => n + x.errors, 0),
    ratio_to_baseline: safeRatio(best?.step.offered_rps ?? 0, baselineRps),
    rounds: [],
    offered_rps: best?.step.offered_rps ?? 0,
    knee_target_p99_ms: targetP99Ms,
    send_lag_p99_ms: best?.step.send_lag_p99_ms ?? 0,
    steps,
  };
}
