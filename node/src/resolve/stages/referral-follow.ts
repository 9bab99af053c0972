import { governingPrefix, type HomedPrefixes } from '../../authority/homed-prefixes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import type { Next, Outcome, ResolveRequest, Stage } from '../outcome.ts';

/** Asks one named node (the federation's peer pool implements it over gRPC). */
export interface PeerResolver {
  resolveAt(address: string, nodeId: string | undefined, req: ResolveRequest): Promise<Outcome>;
  /** True when the outcome says the link failed rather than what the peer knows. */
  isLinkFailure(o: Outcome): boolean;
}

/** The referral cache as the stage sees it (federation/referral-cache.ts). */
export interface Referrals {
  lookup(prefixKey: string): { prefixKey: string; address: string; nodeId: string | undefined } | undefined;
  set(prefixKey: string, address: string, nodeId: string | undefined): void;
  invalidate(prefixKey: string): void;
}

export interface FollowStats {
  /** Answers fetched straight from the node a cached referral named (no upstream round trip). */
  cachedRoutes: number;
  /** Referrals received and followed. */
  followed: number;
  /** Cached routes dropped after a link failure. */
  dropped: number;
}

const MAX_REFERRALS = 4;

/**
 * For prefixes not homed here: go straight to the node a cached referral names; otherwise let the
 * later stages ask (upstream, or the top-level's directory) and follow any referral they return,
 * remembering it. Serves HTTP clients; node-to-node requests get referrals back instead (Handle's
 * iterative resolution), which is why the peer resolver has no follow stage.
 */
export function createReferralFollowStage(
  homed: HomedPrefixes,
  peers: PeerResolver,
  referrals: Referrals,
  stats: FollowStats,
): Stage {
  async function follow(first: Outcome, req: ResolveRequest): Promise<Outcome> {
    let o = first;
    for (let n = 0; o.kind === 'referral'; n++) {
      if (n >= MAX_REFERRALS)
        return { kind: 'error', error: new IdnError('IDN_ERR_LOOP_DETECTED', undefined, { referrals: n }) };
      stats.followed++;
      const key = o.prefix.toLowerCase();
      const { target, nodeId } = o;
      o = await peers.resolveAt(target, nodeId, req);
      if (peers.isLinkFailure(o)) referrals.invalidate(key);
      else referrals.set(key, target, nodeId);
    }
    return o;
  }

  return {
    name: 'follow',
    async run(req, next: Next): Promise<Outcome> {
      const gov = governingPrefix(req.id);
      // Under a homed prefix the directory (top-level) decides, not a remembered route; its referrals are still followed.
      if (homed.covers(gov.prefixKey)) return follow(await next(req), req);
      const route = referrals.lookup(gov.prefixKey);
      if (route !== undefined) {
        const o = await peers.resolveAt(route.address, route.nodeId, req);
        if (!peers.isLinkFailure(o)) {
          stats.cachedRoutes++;
          return follow(o, req);
        }
        stats.dropped++;
        referrals.invalidate(route.prefixKey);
      }
      return follow(await next(req), req);
    },
  };
}
