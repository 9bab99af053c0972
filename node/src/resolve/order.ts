import type { HomedPrefixes } from '../authority/homed-prefixes.ts';
import type { ResolutionCache } from '../cache/resolution-cache.ts';
import type { ReadonlyStore } from '../store/store.ts';
import type { Next, Outcome, ResolveRequest, Stage } from './outcome.ts';
import { composeStages } from './pipeline.ts';
import { createAuthorityStage } from './stages/authority.ts';
import { createDelegationStage, type Directory, type NodeHealth } from './stages/delegation.ts';
import {
  createReferralFollowStage,
  type FollowStats,
  type PeerResolver,
  type Referrals,
} from './stages/referral-follow.ts';
import { createStoreStage } from './stages/store-lookup.ts';
import { createTemplateStage, type TemplateIndex } from './stages/template.ts';
import { createUpstreamStage, type Upstream } from './stages/upstream.ts';
import { createTakeoverGuardStage } from './stages/takeover-guard.ts';
import { createWalkUpStage } from './stages/walk-up.ts';
import type { PrefixRecords } from './stages/prefix-records.ts';

/**
 * The order of the resolution path lives here and nowhere else:
 * takeover guard (top-level: a cached answer from before a delegated node went silent or came back is resolved again)
 *   -> cache (TTL, negative, single-flight, serve-stale)
 *   -> follow (not homed here: a cached referral's node directly, else follow what later stages refer to)
 *   -> delegation (top-level: delegated to a live node -> referral; to a silent one -> synced copy, not authoritative)
 *   -> upstream (secondary / caching: not homed here -> the upstream node)
 *   -> authority (homed here?) -> walk-up -> template -> store.
 * walk-up and template act only when the inner stages missed (no record, not deleted): a template
 * record matching the suffix answers, else the batch, model or enterprise record (stages/template.ts,
 * stages/walk-up.ts). They wrap the store, so an exact record always wins.
 * Then FINALISE (finalise.ts, run by the ResolutionService once per answer, whatever stage
 * answered): the reader's tier, index and type filters, walk-up for a wanted type the record
 * lacks, secret redaction, audit facts.
 * Sub-lookups (the ancestors of a walk-up, in the stage and in finalise) go through one helper,
 * `subLookup`: the stages below the cache, without walk-up itself. They are never cached, never
 * measured, and never walk up again: they are part of one resolution, not resolutions of their own.
 * Stages a role does not use are left out. The 'peer' resolver (answers to other nodes over gRPC)
 * has no cache (the store is as fast, and a peer must not get our cached copy of a third node's
 * answer as if it were ours) and no follow stage: peers get referrals and follow them themselves.
 */
export const STAGE_ORDER = [
  'takeover',
  'cache',
  'follow',
  'delegation',
  'upstream',
  'authority',
  'walk-up',
  'template',
  'store',
] as const;
export type StageName = (typeof STAGE_ORDER)[number];

/** What the federated roles add; absent on a standalone node. */
export interface FederationStageDeps {
  readonly selfId: string;
  /** Top-level: the prefix directory and heartbeat freshness. */
  readonly directory?: Directory;
  readonly health?: NodeHealth;
  /** Secondary and caching: the upstream node. */
  readonly upstream?: Upstream;
  /** Any federated role: following referrals, with their cache. */
  readonly peers?: PeerResolver;
  readonly referrals?: Referrals;
  readonly followStats?: FollowStats;
}

export interface StageDeps {
  readonly homed: HomedPrefixes;
  readonly store: ReadonlyStore;
  /** Absent when caching is switched off. */
  readonly cache: ResolutionCache | undefined;
  readonly federation?: FederationStageDeps;
  /** 'client' (HTTP readers, default) or 'peer' (other nodes, over gRPC). */
  readonly mode?: 'client' | 'peer';
  /** The template index; templates and walk-up are off when absent. */
  readonly derived?: TemplateIndex;
  /** The prefix records the walk-up reads, kept fresh by the change feed; read each time when absent. */
  readonly prefixRecords?: PrefixRecords;
}

export type { FollowStats } from './stages/referral-follow.ts';

const NO_STATS: FollowStats = { cachedRoutes: 0, followed: 0, dropped: 0 };

function followStage(d: StageDeps): Stage | undefined {
  const f = d.federation;
  if (d.mode === 'peer' || f?.peers === undefined || f.referrals === undefined) return undefined;
  return createReferralFollowStage(d.homed, f.peers, f.referrals, f.followStats ?? { ...NO_STATS });
}

function delegationStage(d: StageDeps): Stage | undefined {
  const f = d.federation;
  if (f?.directory === undefined || f.health === undefined) return undefined;
  return createDelegationStage(f.directory, f.health, f.selfId);
}

/** Stages of a sub-lookup: below the cache, and no walk-up of an ancestor's own. */
const NOT_IN_SUB_LOOKUP: ReadonlySet<StageName> = new Set(['takeover', 'cache', 'walk-up']);

function takeoverStage(d: StageDeps): Stage | undefined {
  const f = d.federation;
  if (d.mode === 'peer' || d.cache === undefined || f?.directory === undefined || f.health === undefined) {
    return undefined;
  }
  return createTakeoverGuardStage(f.directory, f.health, f.selfId, d.cache);
}

/** `subLookup` is absent while the sub-lookup chain itself is built (it has no walk-up). */
type Factory = (d: StageDeps, subLookup: Next | undefined) => Stage | undefined;

const FACTORIES: Record<StageName, Factory> = {
  takeover: takeoverStage,
  cache: (d) => (d.mode === 'peer' ? undefined : d.cache?.stage),
  follow: followStage,
  delegation: delegationStage,
  upstream: (d) =>
    d.federation?.upstream === undefined ? undefined : createUpstreamStage(d.homed, d.federation.upstream),
  authority: (d) => createAuthorityStage(d.homed),
  'walk-up': (d, sub) =>
    d.derived === undefined || sub === undefined ? undefined : createWalkUpStage(sub, d.prefixRecords),
  template: (d) => (d.derived === undefined ? undefined : createTemplateStage(d.derived)),
  store: (d) => createStoreStage(d.store),
};

/** The chain of one role, and the one helper its sub-lookups go through. */
export interface ResolutionChain {
  readonly resolve: Next;
  readonly subLookup: Next;
  /**
   * The chain's answer in this tick when the cache is its first stage and holds a fresh answer
   * (the common scan): what `resolve` would answer, without its promises. Absent when another
   * stage runs before the cache (the takeover guard) or there is no cache.
   */
  readonly hitNow?: (req: ResolveRequest) => Outcome | undefined;
}

function hitNowOf(deps: StageDeps, first: Stage | undefined): ResolutionChain['hitNow'] {
  const cache = deps.cache;
  if (cache === undefined || first !== cache.stage) return undefined;
  return (req) => (req.authoritative || req.trace !== undefined ? undefined : cache.hitNow(req.id.key));
}

export function buildChain(deps: StageDeps): ResolutionChain {
  const build = (names: readonly StageName[], sub: Next | undefined): Stage[] =>
    names.map((name) => FACTORIES[name](deps, sub)).filter((s): s is Stage => s !== undefined);
  const subLookup = composeStages(
    build(
      STAGE_ORDER.filter((n) => !NOT_IN_SUB_LOOKUP.has(n)),
      undefined,
    ),
  );
  const stages = build(STAGE_ORDER, subLookup);
  const hitNow = hitNowOf(deps, stages[0]);
  return { resolve: composeStages(stages), subLookup, ...(hitNow === undefined ? {} : { hitNow }) };
}
