import { Type } from 'typebox';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { intVar } from '../config-kit/vars.ts';
import type { NodeRole } from '../federation/config.ts';

/**
 * How many worker processes serve the one HTTP port (node:cluster; ADR 0009). 1 (the default) is
 * the plain single process; above 1 a primary process forks the workers, relays committed keys
 * between them (cache invalidation), aggregates /metrics and restarts a worker that dies.
 */
export interface WorkerSettings {
  readonly workers: number;
}

export const MAX_WORKERS = 64;

const raw = Type.Object({
  IDNODE_WORKERS: intVar(1, MAX_WORKERS, {
    description: 'worker processes on the one HTTP port (production: one per core); 1 is a single process',
    default: '1',
  }),
});

export const workersSection: ConfigSection<typeof raw.properties, WorkerSettings> = {
  name: 'workers',
  raw,
  normalise: (v) => ({ workers: Number(v.IDNODE_WORKERS) }),
};

/** Roles whose state lives in one process (peer health, the sync stream, registration) stay single. */
const MULTI_WORKER_ROLES: readonly NodeRole[] = ['standalone', 'caching'];

export function validateWorkers(c: { workers: WorkerSettings; role: NodeRole }, problems: Problems): void {
  if (c.workers.workers === 1 || MULTI_WORKER_ROLES.includes(c.role)) return;
  problems.add(
    'IDNODE_WORKERS',
    `must be 1 for role ${c.role} (its peer health and sync stream live in one process); ` +
      'several workers serve roles standalone and caching',
    ['IDNODE_ROLE'],
  );
}
