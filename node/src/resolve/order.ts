import type { HomedPrefixes } from '../authority/homed-prefixes.ts';
import type { Store } from '../store/store.ts';
import type { Next, Stage } from './outcome.ts';
import { composeStages } from './pipeline.ts';
import { createAuthorityStage } from './stages/authority.ts';
import { createStoreStage } from './stages/store-lookup.ts';

/**
 * The order of the resolution path lives here and nowhere else. Later stages (cache,
 * single-flight, referral, upstream) slot in by name.
 */
export const STAGE_ORDER = ['authority', 'store'] as const;

export interface StageDeps {
  readonly homed: HomedPrefixes;
  readonly store: Store;
}

const FACTORIES: Record<(typeof STAGE_ORDER)[number], (d: StageDeps) => Stage> = {
  authority: (d) => createAuthorityStage(d.homed),
  store: (d) => createStoreStage(d.store),
};

export function buildResolver(deps: StageDeps): Next {
  return composeStages(STAGE_ORDER.map((name) => FACTORIES[name](deps)));
}
