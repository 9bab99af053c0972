/**
 * The scenarios of `npm run bench` (wrk and h2load). Each runs against one node target and the
 * bare mirror (loadtest/servers/bare-mirror.ts) with the same request stream; `keys` names the
 * stream (see KeyFiles in native-run.ts).
 */

export type NodeTarget = 'node' | 'node-nocache' | 'node-redis' | 'node-signed';

export type KeyStream = 'qr' | 'api' | 'negative' | 'unknown';

export interface NativeScenario {
  readonly name: string;
  readonly description: string;
  readonly target: NodeTarget;
  readonly keys: KeyStream;
  readonly expectStatus: number;
  /** The ceiling for server CPU per request as a ratio to the baseline. */
  readonly cpuTarget?: number;
}

export const NATIVE_SCENARIOS: readonly NativeScenario[] = [
  {
    name: 'qr-hit',
    description: 'GET /{id} (QR scan), resolution cache hit, 302 to the proxy',
    target: 'node',
    keys: 'qr',
    expectStatus: 302,
    cpuTarget: 1.3,
  },
  {
    name: 'api-hit',
    description: 'GET /api/handles/{id}, resolution cache hit, 200 Handle JSON',
    target: 'node',
    keys: 'api',
    expectStatus: 200,
    cpuTarget: 1.3,
  },
  {
    name: 'api-hit-signed',
    description: 'as api-hit with IDNODE_SIGN_ANSWERS=always: the kept RFC 9421 signature replayed (ADR 0011)',
    target: 'node-signed',
    keys: 'api',
    expectStatus: 200,
    cpuTarget: 1.3,
  },
  {
    name: 'negative-hit',
    description: 'GET /api/handles/{id} of 1,000 unregistered identifiers asked again: cached 404',
    target: 'node',
    keys: 'negative',
    expectStatus: 404,
    cpuTarget: 1.5,
  },
  {
    name: 'unknown-flood',
    description: 'GET /api/handles/{id}, a fresh random unregistered suffix every request (404)',
    target: 'node',
    keys: 'unknown',
    expectStatus: 404,
  },
  {
    name: 'cold-lmdb',
    description: 'GET /api/handles/{id}, IDNODE_CACHE=off: every request reads LMDB',
    target: 'node-nocache',
    keys: 'api',
    expectStatus: 200,
    cpuTarget: 2,
  },
  {
    name: 'cold-redis',
    description: 'GET /api/handles/{id}, IDNODE_CACHE=off, Redis store (a redis-server of its own)',
    target: 'node-redis',
    keys: 'api',
    expectStatus: 200,
    cpuTarget: 3,
  },
];

/** Latency scenarios: unloaded (wrk -c1) and paced at half the baseline's ceiling (h2load --rps). */
export const LATENCY_SCENARIOS = ['qr-hit', 'api-hit'] as const;

export function nativeScenario(name: string): NativeScenario {
  const s = NATIVE_SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario ${name}; known: ${NATIVE_SCENARIOS.map((x) => x.name).join(', ')}`);
  return s;
}
