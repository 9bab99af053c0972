import type { Measurement } from '../lib/measurement.ts';
import { runOpenLoop } from '../lib/open-loop.ts';
import type { Mix } from './mix.ts';
import { EXPECTED, SECONDARY_SHARE } from './mix.ts';

/**
 * One window of the mix: two open-loop generators side by side, one at the caching node, one at
 * the secondary, at their shares of `rate`. Each window opens its own keep-alive connections, so
 * connection churn is part of the soak (clients come and go).
 */

export interface WindowResult {
  readonly rps: number;
  readonly errors: number;
  readonly status5xx: number;
  readonly p99_caching_ms: number;
  readonly p99_secondary_ms: number;
  readonly send_lag_p99_ms: number;
  readonly statusCounts: Record<string, number>;
}

export interface Targets {
  readonly caching: string;
  readonly secondary: string;
}

const fiveXx = (m: Measurement): number =>
  Object.entries(m.statusCounts).reduce((n, [s, c]) => n + (Number(s) >= 500 ? c : 0), 0);

export async function runWindow(t: Targets, mix: Mix, rate: number, durationS: number): Promise<WindowResult> {
  const secondaryRate = Math.max(1, rate * SECONDARY_SHARE);
  const [c, s] = await Promise.all([
    runOpenLoop({
      url: t.caching,
      rps: rate - secondaryRate,
      durationS,
      maxSockets: 32,
      next: mix.caching,
      expectStatus: EXPECTED,
    }),
    runOpenLoop({
      url: t.secondary,
      rps: secondaryRate,
      durationS,
      maxSockets: 8,
      next: mix.secondary,
      expectStatus: EXPECTED,
    }),
  ]);
  const statusCounts: Record<string, number> = { ...c.statusCounts };
  for (const [k, v] of Object.entries(s.statusCounts)) statusCounts[k] = (statusCounts[k] ?? 0) + v;
  return {
    rps: Math.round((c.rps + s.rps) * 10) / 10,
    errors: c.errors + s.errors,
    status5xx: fiveXx(c) + fiveXx(s),
    p99_caching_ms: c.p99_ms,
    p99_secondary_ms: s.p99_ms,
    send_lag_p99_ms: Math.max(c.sendLagP99Ms ?? 0, s.sendLagP99Ms ?? 0),
    statusCounts,
  };
}

/** The window as a Measurement for the knee search: the worse p99 of the two, errors summed. */
export function asMeasurement(w: WindowResult, rate: number, durationS: number): Measurement {
  const p99 = Math.max(w.p99_caching_ms, w.p99_secondary_ms);
  return {
    rps: w.rps,
    completed: Math.round(w.rps * durationS),
    errors: w.errors,
    durationS,
    statusCounts: w.statusCounts,
    offeredRps: rate,
    sendLagP99Ms: w.send_lag_p99_ms,
    p50_ms: p99,
    p90_ms: p99,
    p99_ms: p99,
    p999_ms: p99,
  };
}
