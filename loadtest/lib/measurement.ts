import type { Percentiles } from './stats.ts';

/** What one run against one server produces, whichever generator ran it. */
export interface Measurement extends Percentiles {
  readonly rps: number;
  readonly completed: number;
  /** Socket errors, timeouts and responses whose status the scenario did not expect. */
  readonly errors: number;
  readonly durationS: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  /** Open loop only: the rate asked for, and how late the generator itself sent (its own noise). */
  readonly offeredRps?: number;
  readonly sendLagP99Ms?: number;
  /** Node targets with a cache: hits / lookups during this run, from idnode_cache_lookups_total. */
  readonly cacheHitRate?: number;
}

/** One HTTP request a scenario wants sent next. */
export interface RequestSpec {
  readonly method: 'GET' | 'PUT';
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

export type NextRequest = () => RequestSpec;
