import type { HomedPrefixes } from '../authority/homed-prefixes.ts';
import type { ResolutionCache } from '../cache/resolution-cache.ts';
import type { Store } from '../store/store.ts';
import type { Next, Stage } from './outcome.ts';
import { composeStages } from './pipeline.ts';
import { createAuthorityStage } from './stages/authority.ts';
import { createStoreStage } from './stages/store-lookup.ts';

/**
 * The order of the resolution path lives here and nowhere else:
 * cache (TTL, negative, single-flight, serve-stale) -> authority (homed here?) -> store.
 * Referral and upstream stages slot in after authority.
 */
export const STAGE_ORDER = ['cache', 'authority', 'store'] as const;
export type StageName = (typeof STAGE_ORDER)[number];

export interface StageDeps {
  readonly homed: HomedPrefixes;
  readonly store: Store;
  /** Absent when caching is switched off. */
  readonly cache: ResolutionCache | undefined;
}

const FACTORIES: Record<StageName, (d: StageDeps) => Stage | undefined> = {
  cache: (d) => d.cache?.stage,
  authority: (d) => createAuthorityStage(d.homed),
  store: (d) => createStoreStage(d.store),
};

export function buildResolver(deps: StageDeps): Next {
  const stages = STAGE_ORDER.map((name) => FACTORIES[name](deps)).filter((s): s is Stage => s !== undefined);
  return composeStages(stages);
}
