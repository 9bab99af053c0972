import { createReaderResolver } from './access/reader.ts';
import type { TrustedIssuers } from './access/trusted-issuers.ts';
import { NO_AUDIT, type AuditLog } from './audit/audit-log.ts';
import { auditChanges } from './audit/change-audit.ts';
import { Authenticator } from './auth/authenticate.ts';
import { HomedPrefixes } from './authority/homed-prefixes.ts';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from './cache/cache-policy.ts';
import { ResolutionCache } from './cache/resolution-cache.ts';
import { Readiness } from './health/readiness.ts';
import type { AppContext } from './http/app-context.ts';
import { TokenBucket } from './http/token-bucket.ts';
import { NodeMetrics } from './observability/metrics.ts';
import { PrefixLabeler } from './observability/prefix-label.ts';
import { createMetadataWriteCheck } from './passport/metadata-write-check.ts';
import { instrumentResolver } from './resolve/instrument.ts';
import { DerivedAnswers } from './resolve/stages/template.ts';
import { buildResolver, type FederationStageDeps } from './resolve/order.ts';
import type { Next } from './resolve/outcome.ts';
import { CachingNodeWriter } from './federation/caching-writer.ts';
import { ChangeFeed } from './store/change-feed.ts';
import { announcingStore } from './write/announcing-store.ts';
import type { Store } from './store/store.ts';
import { HandleWriter } from './write/handle-writer.ts';

export interface AppOptions {
  readonly prefixes: readonly string[];
  readonly tokenKey: Buffer;
  readonly cache?: CachePolicy;
  /** auth=true reads per second (and burst) that may bypass the cache; default 50 (burst 100). */
  readonly authoritativeReadsPerSecond?: number;
  /** Prefixes always given their own metric label (besides the homed ones), and the label limit. */
  readonly metricsPrefixes?: readonly string[];
  readonly metricsPrefixLimit?: number;
  /** Roles other than standalone: directory, upstream, referral following (federation/federation.ts). */
  readonly federation?: FederationStageDeps;
  /** Caching role: refuse every write, naming this upstream. */
  readonly cachingUpstream?: string;
  /** Issuers of passport access credentials (IDNODE_TRUSTED_ISSUERS); none trusted when absent. */
  readonly trustedIssuers?: TrustedIssuers;
  /** The audit trail (main.ts: `<dataDir>/audit`); nothing is audited when absent. */
  readonly audit?: AuditLog;
}

/** The app context plus what the gRPC side needs: the resolver that answers other nodes. */
export interface NodeContext extends AppContext {
  readonly resolvePeer: Next;
}

/** Wires the parts of a node around a store; used by main.ts and by tests. */
export function createAppContext(backend: Store, opts: AppOptions): NodeContext {
  const homed = new HomedPrefixes(opts.prefixes);
  const changes = new ChangeFeed();
  const store = announcingStore(backend, changes);
  const policy = opts.cache ?? DEFAULT_CACHE_POLICY;
  const cache = policy.enabled ? new ResolutionCache(policy) : undefined;
  if (cache) changes.subscribe((key) => cache.invalidate(key));
  const metrics = new NodeMetrics();
  if (cache) metrics.watchCache(cache);
  const labels = new PrefixLabeler([...opts.prefixes, ...(opts.metricsPrefixes ?? [])], opts.metricsPrefixLimit ?? 50);
  const readiness = new Readiness(metrics);
  const authenticator = new Authenticator(store, opts.tokenKey);
  readiness.add({ name: 'store', check: async () => (await store.lastSeq()) >= 0 });
  const audit = opts.audit ?? NO_AUDIT;
  if (opts.audit) auditChanges(store, changes, opts.audit);
  // Template index and invalidation of answers derived from templates and walk-up.
  const derived = new DerivedAnswers(store, cache);
  changes.subscribe((key) => derived.changed(key));
  const writer =
    opts.cachingUpstream === undefined
      ? new HandleWriter(store, homed)
      : new CachingNodeWriter(store, homed, opts.cachingUpstream);
  writer.useCheck(createMetadataWriteCheck(store));
  return {
    store,
    homed,
    changes,
    cache,
    tokenKey: opts.tokenKey,
    metrics,
    readiness,
    resolve: instrumentResolver(
      buildResolver({ homed, store, cache, federation: opts.federation, derived }),
      metrics,
      labels,
    ),
    resolvePeer: buildResolver({ homed, store, cache, federation: opts.federation, mode: 'peer', derived }),
    writer,
    authenticator,
    readers: createReaderResolver(authenticator, opts.trustedIssuers),
    authoritativeReads: new TokenBucket(
      opts.authoritativeReadsPerSecond ?? 50,
      2 * (opts.authoritativeReadsPerSecond ?? 50),
    ),
    audit,
  };
}
