import type { Outcome, Stage } from '../outcome.ts';
import { delegatedElsewhere, type Directory, type NodeHealth } from './delegation.ts';

/** The part of the resolution cache the guard uses. */
export interface Invalidate {
  // The cache drops the key and every answer built from it.
  changed(key: string): void;
}

/**
 * Top-level node, around the cache: a cached answer for a delegated prefix is only as true as
 * the delegated node's state when it was cached. An authoritative answer cached from the node
 * before it went silent, or a takeover answer (synced copy, not authoritative) cached before it
 * came back, no longer says what this node answers now: it is dropped and resolved again, so a
 * cached takeover answer stays marked not authoritative and goes as soon as the node reports.
 * Checked per hit (no event to miss: staleness is a matter of time, not of a message).
 */
export function createTakeoverGuardStage(
  directory: Directory,
  health: NodeHealth,
  selfId: string,
  cache: Invalidate,
): Stage {
  return {
    name: 'takeover',
    async run(req, next): Promise<Outcome> {
      const o = await next(req);
      if ((o.kind !== 'found' && o.kind !== 'not-found') || o.source !== 'cache') return o;
      const d = delegatedElsewhere(directory, selfId, req.id);
      if (d === undefined) return o;
      const takeover = !health.isFresh(d.nodeId);
      if ((o.authoritative === false) === takeover) return o;
      cache.changed(req.id.key);
      return next(req);
    },
  };
}
