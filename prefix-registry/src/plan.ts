import type { ApplyResult, ChangeSet } from '#core/records/change-set';
import { lostRace } from './registry-records.ts';

/**
 * What a registry decision returns: either the answer, with nothing to write (a replay, an
 * unchanged record), or the change set to apply and how to read the answer from what it stored.
 */
export type Planned<T> =
  { readonly done: T } | { readonly set: ChangeSet; readonly finish: (applied: ApplyResult) => T };

/** Applies a change set (the node passes `set => records.apply(set, principal)`); registries only plan. */
export type ApplySet = (set: ChangeSet) => Promise<ApplyResult>;

/** A commit that lost this many races in a row is given up with its error. */
const MAX_PLANS = 4;

/**
 * Plans, applies, and plans again when the commit lost a race (a concurrent decision on a record
 * the plan read: the same idempotency key, the same application or prefix). The next plan sees
 * what won, so it answers a replay, or refuses with the registry's own code (taken, decided).
 */
export async function decide<T>(plan: () => Promise<Planned<T>>, apply: ApplySet): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const p = await plan();
    if ('done' in p) return p.done;
    try {
      return p.finish(await apply(p.set));
    } catch (e) {
      if (!lostRace(e) || attempt >= MAX_PLANS) throw e;
    }
  }
}
