import { Type } from 'typebox';
import type { ConfigSection } from '../config-kit/section.ts';
import { enumVar, intVar } from '../config-kit/vars.ts';
import type { AdmissionPolicy } from './admission/bounded-cache.ts';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from './cache-policy.ts';

const ADMISSION = ['tinylfu', 'lru'] as const satisfies readonly AdmissionPolicy[];
const d = DEFAULT_CACHE_POLICY;

const raw = Type.Object({
  IDNODE_CACHE: enumVar(['on', 'off'], {
    description: 'the in-process resolution cache (off for measurements)',
    default: 'on',
  }),
  IDNODE_CACHE_POLICY: enumVar(ADMISSION, { description: 'admission policy of the cache', default: d.admission }),
  IDNODE_CACHE_MAX_ENTRIES: intVar(1, 999_999_999, {
    description: 'cache bound in entries',
    default: String(d.maxEntries),
  }),
  IDNODE_CACHE_MAX_MB: intVar(1, 999_999, {
    description: 'cache bound in estimated megabytes',
    default: String(d.maxBytes / 1024 / 1024),
  }),
  IDNODE_CACHE_MAX_TTL_S: intVar(0, 9_999_999, {
    description: "longest a record stays cached (its values' TTL, clamped to 1 s..this)",
    default: String(d.maxTtlMs / 1000),
  }),
  IDNODE_CACHE_NEGATIVE_TTL_S: intVar(0, 9_999, {
    description: 'how long "not found" is cached (never longer than IDNODE_CACHE_MAX_TTL_S)',
    default: String(d.negativeTtlMs / 1000),
  }),
  IDNODE_CACHE_STALE_WINDOW_S: intVar(0, 9_999_999, {
    description: 'how long an expired answer may be served, marked stale, while the backend fails',
    default: String(d.staleWindowMs / 1000),
  }),
});

/** How long answers live in the resolution cache; the rest of the policy keeps its defaults. */
export const cacheSection: ConfigSection<typeof raw.properties, CachePolicy> = {
  name: 'cache',
  raw,
  normalise: (v) => {
    const maxTtlMs = Number(v.IDNODE_CACHE_MAX_TTL_S) * 1000;
    return {
      ...DEFAULT_CACHE_POLICY,
      enabled: v.IDNODE_CACHE === 'on',
      admission: v.IDNODE_CACHE_POLICY,
      maxEntries: Number(v.IDNODE_CACHE_MAX_ENTRIES),
      maxBytes: Number(v.IDNODE_CACHE_MAX_MB) * 1024 * 1024,
      maxTtlMs,
      minTtlMs: Math.min(DEFAULT_CACHE_POLICY.minTtlMs, maxTtlMs),
      // Negative answers never outlive positive ones (RFC 2308: cap the negative TTL).
      negativeTtlMs: Math.min(Number(v.IDNODE_CACHE_NEGATIVE_TTL_S) * 1000, maxTtlMs),
      staleWindowMs: Number(v.IDNODE_CACHE_STALE_WINDOW_S) * 1000,
    };
  },
};
