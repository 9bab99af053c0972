import { governingPrefix, type HomedPrefixes } from '../../authority/homed-prefixes.ts';
import type { Outcome, ResolveRequest, Stage } from '../outcome.ts';

/** The upstream node (top-level for a secondary, any node for a caching node). */
export interface Upstream {
  resolve(req: ResolveRequest): Promise<Outcome>;
}

/** Prefixes not homed here go upstream (over one multiplexed gRPC stream); the answer's source is 'upstream'. */
export function createUpstreamStage(homed: HomedPrefixes, upstream: Upstream): Stage {
  return {
    name: 'upstream',
    run(req, next): Promise<Outcome> {
      if (homed.covers(governingPrefix(req.id).prefixKey)) return next(req);
      return upstream.resolve(req);
    },
  };
}
