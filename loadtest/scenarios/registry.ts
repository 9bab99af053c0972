import type { NextRequest, RequestSpec } from '../lib/measurement.ts';
import { BENCH_PREFIX, benchHandle } from '../lib/seed-store.ts';
import { seededPermutation, seededRandom, zipfSampler } from '../lib/zipf.ts';

/**
 * The scenario registry: one entry per named workload. To add one (federation misses, Redis-backed
 * store, ...), append an entry here; if it needs another server, add a `target` and start it in
 * lib/bench-run.ts (startTargets). The runner pairs every non-baseline scenario with the baseline.
 */

export const BASELINE = 'baseline-bare-route';

export interface ScenarioContext {
  /** Identifiers registered before the node started: benchHandle(0 .. keyCount-1). */
  readonly keyCount: number;
  readonly seed: number;
  /** Authorization header of the prefix admin, for writes. */
  readonly adminAuth: string;
}

export type ScenarioKind =
  /** Fixed connections, no rate: throughput. */
  | 'closed'
  /** Fixed offered rate, paired with the baseline at the same rate: latency. */
  | 'open-loop'
  /** Offered rate stepped up until p99 exceeds the target: the overload knee. */
  | 'knee';

/**
 * Which server a scenario runs against (bench-run.ts starts only the ones a run needs):
 * - `bare`: the baseline fastify route;
 * - `node`: the node as configured by default (LMDB, resolution cache on, TinyLFU);
 * - `node-nocache`: LMDB, IDNODE_CACHE=off (every request reaches the store);
 * - `node-redis`: a redis-server started by the harness, IDNODE_CACHE=off;
 * - `node-lru` / `node-tinylfu`: LMDB, IDNODE_CACHE_POLICY=lru / tinylfu, the same small
 *   IDNODE_CACHE_MAX_MB (ADMISSION_CACHE_MB) so that admission decides what stays;
 * - `node-accesslog`: the default node logging every request (IDNODE_ACCESS_LOG_SAMPLE=1, level
 *   info): beside `resolve-cache-hit` it shows what the access log costs.
 */
export type Target = 'bare' | 'node' | 'node-nocache' | 'node-redis' | 'node-lru' | 'node-tinylfu' | 'node-accesslog';

/** Cache size of the admission comparison: ~1 % of 100,000 registered records (~1.6 kB each). */
export const ADMISSION_CACHE_MB = 2;

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly kind: ScenarioKind;
  readonly target: Target;
  readonly expectStatus: readonly number[];
  /** A fresh request sequence (seeded: every run of a scenario sends the same sequence). */
  readonly requests: (ctx: ScenarioContext) => NextRequest;
  /** open-loop/knee: the closed-loop scenario whose measured throughput sets the offered rate. */
  readonly rateFrom?: string;
  /** Checked once before the scenario runs (e.g. that answers really come from the cache); throws if not. */
  readonly verify?: (url: string, ctx: ScenarioContext) => Promise<void>;
}

const API = '/api/handles/';
const get = (path: string): RequestSpec => ({ method: 'GET', path });

/** Zipf (s = 1) over the registered identifiers, hot ranks scattered over the key space. */
function zipfKeys(ctx: ScenarioContext): () => string {
  const sample = zipfSampler({ n: ctx.keyCount, exponent: 1, seed: ctx.seed });
  const perm = seededPermutation(ctx.keyCount, ctx.seed + 1);
  return () => benchHandle(perm[sample()]!);
}

function uniformKeys(ctx: ScenarioContext): () => string {
  const random = seededRandom(ctx.seed + 2);
  return () => benchHandle(Math.floor(random() * ctx.keyCount));
}

const WRITE_KEYS = 1_000;

/** A PUT like a registrar's: the URL changes every time, so each write really commits (no no-op). */
function writer(ctx: ScenarioContext): () => RequestSpec {
  const random = seededRandom(ctx.seed + 3);
  let n = 0;
  const headers = { authorization: ctx.adminAuth, 'content-type': 'application/json' };
  return () => {
    const value = `https://passport.example/x?v=${n++}`;
    const body = JSON.stringify({ values: [{ index: 1, type: 'URL', data: { format: 'string', value } }] });
    return { method: 'PUT', path: `${API}${BENCH_PREFIX}/MIX-${Math.floor(random() * WRITE_KEYS)}`, headers, body };
  };
}

function mixed(ctx: ScenarioContext): NextRequest {
  const read = zipfKeys(ctx);
  const write = writer(ctx);
  const random = seededRandom(ctx.seed + 4);
  return () => (random() < 0.1 ? write() : get(API + read()));
}

/** The same identifier over and over: what an in-process cache serves. */
const oneKey = (): NextRequest => () => get(API + benchHandle(0));

function uniform(ctx: ScenarioContext): NextRequest {
  const key = uniformKeys(ctx);
  return () => get(API + key());
}

/** The repeated identifier is answered from the cache (header x-idnode-source: cache). */
async function answeredFromCache(url: string): Promise<void> {
  let source: string | null = null;
  for (let i = 0; i < 3; i++) {
    const res = await fetch(url + API + benchHandle(0));
    await res.arrayBuffer();
    source = res.headers.get('x-idnode-source');
  }
  if (source !== 'cache') throw new Error(`resolve-cache-hit: the node answered from "${source}", not the cache`);
}

/**
 * The admission trace: half Zipf(s=1) over the registered identifiers, half a scan that walks
 * them in another seeded order (each scanned identifier once: one-off QR scans). The position is
 * kept across runs of the scenario, so one-offs stay one-offs from round to round; each scenario
 * has its own trace, so the LRU and TinyLFU nodes replay the same sequence from its start.
 */
function zipfWithScan(): (ctx: ScenarioContext) => NextRequest {
  let state: { hot: () => string; random: () => number; scan: Uint32Array; next: number } | undefined;
  return (ctx) => {
    state ??= {
      hot: zipfKeys(ctx),
      random: seededRandom(ctx.seed + 6),
      scan: seededPermutation(ctx.keyCount, ctx.seed + 7),
      next: 0,
    };
    const st = state;
    return () => {
      if (st.random() < 0.5) return get(API + st.hot());
      return get(API + benchHandle(st.scan[st.next++ % st.scan.length]!));
    };
  };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: BASELINE,
    description: 'bare fastify route, fixed JSON body (the yardstick)',
    kind: 'closed',
    target: 'bare',
    expectStatus: [200],
    requests: () => () => get('/'),
  },
  {
    name: 'resolve-store-hit',
    description: 'GET /api/handles/{id}, one identifier repeated, served from LMDB (IDNODE_CACHE=off)',
    kind: 'closed',
    target: 'node-nocache',
    expectStatus: [200],
    requests: oneKey,
  },
  {
    name: 'resolve-cache-hit',
    description:
      'GET /api/handles/{id}, one identifier repeated, served from the in-process cache (x-idnode-source: cache)',
    kind: 'closed',
    target: 'node',
    expectStatus: [200],
    requests: oneKey,
    verify: answeredFromCache,
  },
  {
    name: 'resolve-cache-hit-logged',
    description: 'resolve-cache-hit with an access log line for every request (the cost of logging)',
    kind: 'closed',
    target: 'node-accesslog',
    expectStatus: [200],
    requests: oneKey,
    verify: answeredFromCache,
  },
  {
    name: 'resolve-zipf-hot',
    description: 'GET /api/handles/{id}, Zipf(s=1) over all registered identifiers',
    kind: 'closed',
    target: 'node',
    expectStatus: [200],
    requests: (ctx) => {
      const key = zipfKeys(ctx);
      return () => get(API + key());
    },
  },
  {
    name: 'resolve-cold-uniform',
    description: 'GET /api/handles/{id}, uniform over all registered identifiers',
    kind: 'closed',
    target: 'node',
    expectStatus: [200],
    requests: (ctx) => {
      const key = uniformKeys(ctx);
      return () => get(API + key());
    },
  },
  {
    name: 'resolve-cold-lmdb',
    description: 'GET /api/handles/{id}, uniform keys, IDNODE_CACHE=off: every request reaches LMDB',
    kind: 'closed',
    target: 'node-nocache',
    expectStatus: [200],
    requests: uniform,
  },
  {
    name: 'resolve-cold-redis',
    description:
      'GET /api/handles/{id}, uniform keys, IDNODE_CACHE=off, Redis store (redis-server started by the harness)',
    kind: 'closed',
    target: 'node-redis',
    expectStatus: [200],
    requests: uniform,
  },
  {
    name: 'admission-lru',
    description: `Zipf + 50 % one-off scan, IDNODE_CACHE_POLICY=lru, IDNODE_CACHE_MAX_MB=${ADMISSION_CACHE_MB}`,
    kind: 'closed',
    target: 'node-lru',
    expectStatus: [200],
    requests: zipfWithScan(),
  },
  {
    name: 'admission-tinylfu',
    description: `Zipf + 50 % one-off scan, IDNODE_CACHE_POLICY=tinylfu, IDNODE_CACHE_MAX_MB=${ADMISSION_CACHE_MB}`,
    kind: 'closed',
    target: 'node-tinylfu',
    expectStatus: [200],
    requests: zipfWithScan(),
  },
  {
    name: 'resolve-not-found',
    description: 'GET /api/handles/{id} for unregistered identifiers under the homed prefix (404)',
    kind: 'closed',
    target: 'node',
    expectStatus: [404],
    requests: (ctx) => {
      const random = seededRandom(ctx.seed + 5);
      return () => get(`${API}${BENCH_PREFIX}/NOPE-${Math.floor(random() * 1e9)}`);
    },
  },
  {
    name: 'qr-redirect',
    description: 'GET /{id} (QR / proxy route), Zipf identifiers, 302 to the URL value',
    kind: 'closed',
    target: 'node',
    expectStatus: [302],
    requests: (ctx) => {
      const key = zipfKeys(ctx);
      return () => get('/' + key());
    },
  },
  {
    name: 'mixed-read-write',
    description: '90 % Zipf GETs, 10 % authenticated PUTs (fsynced LMDB commits) over 1,000 identifiers',
    kind: 'closed',
    target: 'node',
    expectStatus: [200, 201],
    requests: mixed,
  },
  {
    name: 'latency-open-loop',
    description: 'Zipf GETs at a steady 50 % of the measured resolve-zipf-hot throughput (own open-loop generator)',
    kind: 'open-loop',
    target: 'node',
    expectStatus: [200],
    rateFrom: 'resolve-zipf-hot',
    requests: (ctx) => {
      const key = zipfKeys(ctx);
      return () => get(API + key());
    },
  },
  {
    name: 'knee',
    description: 'Zipf GETs, open-loop rate stepped up until p99 exceeds the target: highest rate under it',
    kind: 'knee',
    target: 'node',
    expectStatus: [200],
    rateFrom: 'resolve-zipf-hot',
    requests: (ctx) => {
      const key = zipfKeys(ctx);
      return () => get(API + key());
    },
  },
];

/** The standard set (`npm run bench`). */
export const STANDARD_SET: readonly string[] = [
  BASELINE,
  'resolve-cache-hit',
  'resolve-cache-hit-logged',
  'resolve-zipf-hot',
  'resolve-cold-uniform',
  'resolve-cold-lmdb',
  'resolve-cold-redis',
  'admission-lru',
  'admission-tinylfu',
  'resolve-not-found',
  'qr-redirect',
  'mixed-read-write',
  'latency-open-loop',
  'knee',
];

/** `npm run bench:quick`: the foundation issue's figure. */
export const QUICK_SET: readonly string[] = [BASELINE, 'resolve-cache-hit', 'resolve-store-hit'];

export function scenarioByName(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}"; known: ${SCENARIOS.map((x) => x.name).join(', ')}`);
  return s;
}
