import type { AccessTier, HandleValue } from './types.ts';

const RANK: Record<AccessTier, number> = { public: 0, 'legitimate-interest': 1, authority: 2 };

/** The tiers a reader may see: anonymous readers get 'public' only. */
export const canSee = (reader: AccessTier, value: AccessTier): boolean => RANK[value] <= RANK[reader];

export function visibleValues(values: readonly HandleValue[], reader: AccessTier): readonly HandleValue[] {
  if (reader === 'authority') return values;
  let allVisible = true;
  for (const v of values) if (!canSee(reader, v.access)) allVisible = false;
  return allVisible ? values : values.filter((v) => canSee(reader, v.access));
}
