/**
 * Trace simulation: hit rate and cost of plain LRU vs TinyLFU admission on
 * QR-scan-like traffic.
 *
 *   node_modules/.bin/node loadtest/sim/admission-hit-rate.ts [--json]
 *     [--keys 1000000] [--requests 2000000] [--skew 0.9] [--seed 42] [--cache-share 0.01] [--rounds 3]
 *
 * Traces: (a) Zipf over the key catalogue; (b) the same with half of the
 * requests replaced by one-off serials never seen again. Each request is a
 * cache-aside step: get(), and set() on a miss. The cache holds cacheShare of
 * the catalogue in both traces, so (b) compares like with like.
 */
import { parseArgs } from 'node:util';
import { seededRandom, zipfSampler } from '../lib/zipf.ts';
import { createBoundedCache } from '../../node/src/cache/admission/plain-lru-cache.ts';
import type { AdmissionPolicy } from '../../node/src/cache/admission/plain-lru-cache.ts';

interface SimConfig {
  keys: number;
  requests: number;
  skew: number;
  seed: number;
  cacheShare: number;
  rounds: number;
}

interface Trace {
  name: string;
  keys: string[];
  /** True where the request is a one-off serial (can never hit). */
  oneOff: Uint8Array;
}

interface Result {
  trace: string;
  policy: AdmissionPolicy;
  hitRate: number;
  /** Hit rate over the requests that could hit at all (repeatable keys). */
  repeatHitRate: number;
  nsPerOp: number;
}

const POLICIES: readonly AdmissionPolicy[] = ['lru', 'tinylfu'];
// Stands in for a resolved handle record; the sim only measures the cache.
const RECORD = Object.freeze({ values: [] as const });

function main(): void {
  const { json, config } = readArgs();
  const traces = [zipfTrace('zipf', config, 0), zipfTrace('zipf + 50% one-offs', config, 0.5)];
  const capacity = Math.round(config.keys * config.cacheShare);
  // JIT warm-up on a short prefix so the first measured policy is not penalised.
  for (const policy of POLICIES) replay(policy, capacity, traces[0]!, Math.min(100_000, config.requests));
  const results = traces.flatMap((trace) => POLICIES.map((policy) => best(policy, capacity, trace, config.rounds)));
  if (json) {
    process.stdout.write(`${JSON.stringify({ config: { ...config, capacity }, results }, null, 2)}\n`);
  } else {
    process.stdout.write(markdown(config, capacity, results));
  }
}

function readArgs(): { json: boolean; config: SimConfig } {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      keys: { type: 'string', default: '1000000' },
      requests: { type: 'string', default: '2000000' },
      skew: { type: 'string', default: '0.9' },
      seed: { type: 'string', default: '42' },
      'cache-share': { type: 'string', default: '0.01' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const config = {
    keys: Number(values.keys),
    requests: Number(values.requests),
    skew: Number(values.skew),
    seed: Number(values.seed),
    cacheShare: Number(values['cache-share']),
    rounds: Number(values.rounds),
  };
  return { json: values.json, config };
}

/**
 * Keys are pre-built strings so the timed loop measures the cache only. Ranks
 * are scattered over serial numbers so hot keys do not share a prefix.
 */
function zipfTrace(name: string, config: SimConfig, oneOffShare: number): Trace {
  const random = seededRandom(config.seed);
  const rank = zipfSampler({ n: config.keys, exponent: config.skew, seed: config.seed + 1 });
  const serial = (rank: number): string => `86.100.1/SN${((rank * 2654435761) >>> 0).toString(36)}`;
  const catalogue = Array.from({ length: config.keys }, (_, rank) => serial(rank));
  const keys = new Array<string>(config.requests);
  const oneOff = new Uint8Array(config.requests);
  for (let i = 0; i < config.requests; i++) {
    if (random() < oneOffShare) {
      keys[i] = `86.100.1/ONE${i.toString(36)}`;
      oneOff[i] = 1;
    } else {
      keys[i] = catalogue[rank()]!;
    }
  }
  return { name, keys, oneOff };
}

/**
 * Hit rates are deterministic; timings on a shared machine are not, so keep
 * the fastest of a few rounds (the one least disturbed by other processes).
 */
function best(policy: AdmissionPolicy, capacity: number, trace: Trace, rounds: number): Result {
  let result = replay(policy, capacity, trace);
  for (let round = 1; round < rounds; round++) {
    const again = replay(policy, capacity, trace);
    if (again.nsPerOp < result.nsPerOp) result = again;
  }
  return result;
}

function replay(policy: AdmissionPolicy, capacity: number, trace: Trace, limit = trace.keys.length): Result {
  const cache = createBoundedCache<typeof RECORD>(policy, { maxEntries: capacity });
  const hitFlags = new Uint8Array(limit);
  const started = process.hrtime.bigint();
  for (let i = 0; i < limit; i++) {
    const key = trace.keys[i]!;
    if (cache.get(key) === undefined) cache.set(key, RECORD);
    else hitFlags[i] = 1;
  }
  const elapsed = Number(process.hrtime.bigint() - started);
  return summarise(policy, trace, hitFlags, elapsed / limit);
}

function summarise(policy: AdmissionPolicy, trace: Trace, hitFlags: Uint8Array, nsPerOp: number): Result {
  let hits = 0;
  let repeatable = 0;
  for (let i = 0; i < hitFlags.length; i++) {
    hits += hitFlags[i]!;
    if (trace.oneOff[i] === 0) repeatable++;
  }
  return {
    trace: trace.name,
    policy,
    hitRate: hits / hitFlags.length,
    repeatHitRate: repeatable === 0 ? 0 : hits / repeatable,
    nsPerOp,
  };
}

function markdown(config: SimConfig, capacity: number, results: readonly Result[]): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
  const lines = [
    `Zipf s=${config.skew}, ${config.keys} keys, ${config.requests} requests, cache ${capacity} entries, seed ${config.seed}, ns/op = best of ${config.rounds}`,
    '',
    '| trace | policy | hit rate | hit rate (repeatable keys) | ns/op (get+set) |',
    '| --- | --- | ---: | ---: | ---: |',
    ...results.map(
      (r) => `| ${r.trace} | ${r.policy} | ${pct(r.hitRate)} | ${pct(r.repeatHitRate)} | ${r.nsPerOp.toFixed(0)} |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

main();
