import type { NextRequest } from '../lib/measurement.ts';
import type { Mix } from './mix.ts';
import { sampleProcess, type Watched } from './sampler.ts';

/**
 * The warm-up's first part, before anything is measured: the bounded structures filled to their caps,
 * so the soak measures a steady state and not a structure still filling (the previous 30-minute run
 * saw the secondary's heap grow 13.8 % while its RecentLog and its cache's "not found" entries were
 * still below their caps at 42 req/s). Writes of the mix until the store's recent change-log tail
 * has been replaced whole by them, then the mix's unknown identifiers at the caching node until every
 * cache that is consulted is at its byte cap (the secondary's serves only direct reads: soak.ts primes
 * it with every registered identifier). Closed loop, 16 at a time.
 */

export interface PrefillOptions {
  readonly url: { readonly caching: string; readonly secondary: string };
  readonly watched: readonly Watched[];
  /** Writes to send: the recent change-log tail's capacity, so every entry it holds is one of the mix's. */
  readonly writes: number;
  readonly cacheCapMiB: number;
  /** A cache counts as full at this share of its cap (the tail below it is one entry's size). */
  readonly fullShare: number;
  /** Both parts together stop here, full or not: the report then says the caches were not full. */
  readonly maxSeconds: number;
  readonly log: (line: string) => void;
}

export interface PrefillResult {
  readonly writes: number;
  readonly unknowns: number;
  readonly seconds: number;
  /** Each node's cache MiB when the prefill ended. */
  readonly cache_mib: Readonly<Record<string, number>>;
  readonly caches_full: boolean;
}

const LANES = 16;
const ROUND = 2_000;

/** Sends up to `count` requests, 16 at a time; stops early at `deadline` (performance.now()). Returns how many were answered. */
async function send(
  base: string,
  next: NextRequest,
  count: number,
  ok: (status: number) => boolean,
  deadline: number,
): Promise<number> {
  let sent = 0;
  const lane = async (): Promise<void> => {
    while (sent < count && performance.now() < deadline) {
      sent++;
      const spec = next();
      const res = await fetch(base + spec.path, {
        method: spec.method,
        headers: spec.headers ?? {},
        ...(spec.body === undefined ? {} : { body: spec.body }),
      });
      await res.arrayBuffer();
      // Shed (503 IDN_ERR_OVERLOADED): the node asks for a pause; the request is sent again.
      if (res.status === 503) {
        sent--;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (!ok(res.status)) throw new Error(`prefill: ${spec.method} ${spec.path} answered ${res.status}`);
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  return sent;
}

export async function prefill(mix: Mix, o: PrefillOptions): Promise<PrefillResult> {
  const t0 = performance.now();
  const elapsedS = (): number => Math.round((performance.now() - t0) / 100) / 10;
  const deadline = t0 + o.maxSeconds * 1000;
  const writes = await send(o.url.secondary, mix.write, o.writes, (s) => s === 200 || s === 201 || s === 204, deadline);
  o.log(`prefill: ${writes} writes in ${elapsedS()} s`);
  let unknowns = 0;
  let mib: Record<string, number> = {};
  let full = false;
  while (!full && performance.now() < deadline) {
    unknowns += await send(o.url.caching, mix.unknown, ROUND, (s) => s === 404, deadline);
    const samples = await Promise.all(o.watched.map((w) => sampleProcess(w, t0)));
    mib = Object.fromEntries(o.watched.map((w, i) => [w.name, samples[i]!.cache_mib]));
    // A cache never consulted (the secondary answers its homed prefix from its store) has nothing to fill.
    full = samples.every((s) => s.cache_lookups === 0 || s.cache_mib >= o.cacheCapMiB * o.fullShare);
    o.log(`prefill: ${unknowns} unknown identifiers, cache MiB ${JSON.stringify(mib)} (${elapsedS()} s)`);
  }
  return { writes, unknowns, seconds: elapsedS(), cache_mib: mib, caches_full: full };
}
