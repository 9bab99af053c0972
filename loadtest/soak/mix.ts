import { BENCH_PREFIX } from '../lib/seed-store.ts';
import type { NextRequest, RequestSpec } from '../lib/measurement.ts';
import { seededRandom, zipfSampler } from '../lib/zipf.ts';
import { suffixOf } from '../upstream/federation.ts';

/**
 * The soak's traffic: what a resolution node sees from scanners and registrants.
 * At the caching node (in front of the secondary): Zipf scans of registered identifiers (QR 302
 * and API 200), and unknown identifiers (404, each fresh, so the negative cache turns over).
 * At the secondary: PUTs overwriting a bounded pool of identifiers (so the store stays the same
 * size and memory growth means a leak, not data), and reads of what it homes.
 */

export const WRITE_POOL = 500;
/** Share of the total rate that goes to the secondary (writes + direct reads). */
export const SECONDARY_SHARE = 0.15;

export interface Mix {
  readonly caching: NextRequest;
  readonly secondary: NextRequest;
  /** The mix's two kinds of request that fill bounded structures, alone (the warm-up's prefill, prefill.ts). */
  readonly write: NextRequest;
  readonly unknown: NextRequest;
}

export function soakMix(keys: number, secret: string, seed = 7): Mix {
  const rank = zipfSampler({ n: keys, seed });
  const random = seededRandom(seed + 1);
  const auth = `Basic ${Buffer.from(`300%3A${encodeURIComponent(`${BENCH_PREFIX}/ADMIN`)}:${secret}`).toString('base64')}`;
  let unknown = 0;
  let version = 0;
  const unknownGet = (): RequestSpec => ({
    method: 'GET',
    path: `/api/handles/${BENCH_PREFIX}/NO-${(unknown++).toString(36)}`,
  });
  const caching = (): RequestSpec => {
    const u = random();
    if (u < 0.55) return { method: 'GET', path: `/${BENCH_PREFIX}/${suffixOf(rank())}` };
    if (u < 0.88) return { method: 'GET', path: `/api/handles/${BENCH_PREFIX}/${suffixOf(rank())}` };
    return unknownGet();
  };
  const write = (): RequestSpec => {
    const i = Math.floor(random() * WRITE_POOL);
    const values = [{ index: 1, type: 'URL', data: `https://soak.example/${i}/${version++}` }];
    return {
      method: 'PUT',
      path: `/api/handles/${BENCH_PREFIX}/SOAK-${i}`,
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({ values }),
    };
  };
  const secondary = (): RequestSpec =>
    random() < 0.4 ? { method: 'GET', path: `/api/handles/${BENCH_PREFIX}/${suffixOf(rank())}` } : write();
  return { caching, secondary, write, unknown: unknownGet };
}

/** Statuses the mix expects: anything else (5xx above all) is an error. */
export const EXPECTED = [200, 201, 204, 302, 304, 404];
