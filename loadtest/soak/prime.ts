import { BENCH_PREFIX } from '../lib/seed-store.ts';
import { suffixOf } from '../upstream/federation.ts';

/** One GET of every registered identifier at a node (the caching node, the secondary), 16 at a time: the soak starts warm. */
export async function primeCache(url: string, keys: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < keys) {
      const res = await fetch(`${url}/api/handles/${BENCH_PREFIX}/${suffixOf(next++)}`);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`priming the cache: ${res.status} from ${url}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
}
