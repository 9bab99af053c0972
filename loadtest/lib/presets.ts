import type { BenchOptions } from './bench-run.ts';
import { BASELINE, QUICK_SET, STANDARD_SET } from '../scenarios/registry.ts';

/** The vitest smoke run: the harness end to end on the cheapest pair. */
const SMOKE_SET = [BASELINE, 'resolve-store-hit'];

/** Run shapes: full (npm run bench), quick (bench:quick), smoke (the vitest test). */

export type Preset = Omit<BenchOptions, 'outDir' | 'log'>;

const COMMON = {
  connections: 50,
  openLoopFraction: 0.5,
  kneeTargetP99Ms: 10,
  seed: 42,
} as const;

export const PRESETS: Record<'full' | 'quick' | 'smoke', Preset> = {
  full: {
    ...COMMON,
    mode: 'full',
    scenarios: STANDARD_SET,
    // Short, many rounds: pairs interleave finely, so both sides see the same neighbours.
    rounds: 5,
    durationS: 2,
    keyCount: 100_000,
    warmupS: 2,
    openLoopDurationS: 2,
    kneeStepS: 2,
    kneeMaxSteps: 12,
  },
  quick: {
    ...COMMON,
    mode: 'quick',
    scenarios: QUICK_SET,
    rounds: 3,
    durationS: 5,
    keyCount: 1_000,
    warmupS: 2,
    openLoopDurationS: 3,
    kneeStepS: 2,
    kneeMaxSteps: 12,
  },
  smoke: {
    ...COMMON,
    mode: 'smoke',
    scenarios: SMOKE_SET,
    rounds: 1,
    durationS: 1,
    keyCount: 100,
    warmupS: 0,
    openLoopDurationS: 1,
    kneeStepS: 1,
    kneeMaxSteps: 3,
  },
};
