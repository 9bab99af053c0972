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
import { instrumentResolver } from './resolve/instrument.ts';
import { DerivedAnswers } from './resolve/stages/template.ts';
import { buildResolver, type FederationStageDeps } from './resolve/order.ts';
import type { Next } from './resolve/outcome.ts';
import { cachingNodeRefusal } from './federation/caching-writer.ts';
import { ChangeFeed } from './store/change-feed.ts';
import type { Store } from './store/store.ts';
import { announcingStore } from './write/announcing-store.ts';
import { RecordService } from './write/record-service.ts';

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
  const policy = opts.cache ?? DEFAULT_CACHE_POLICY;
  const cache = policy.enabled ? new ResolutionCache(policy) : undefined;
  if (cache) changes.subscribe((key) => cache.invalidate(key));
  const metrics = new NodeMetrics();
  if (cache) metrics.watchCache(cache);
  // The only holder of the writable store; everything else below reads through `store`.
  const records = new RecordService(backend, {
    homed,
    changes,
    metrics,
    ...(opts.cachingUpstream === undefined ? {} : { refuseClientWrite: cachingNodeRefusal(opts.cachingUpstream) }),
  });
  const store = records.store;
  const labels = new PrefixLabeler([...opts.prefixes, ...(opts.metricsPrefixes ?? [])], opts.metricsPrefixLimit ?? 50);
  const readiness = new Readiness(metrics);
  const authenticator = new Authenticator(store, opts.tokenKey);
  readiness.add({ name: 'store', check: async () => (await store.lastSeq()) >= 0 });
  const audit = opts.audit ?? NO_AUDIT;
  if (opts.audit) auditChanges(store, changes, opts.audit);
  // The resolution chain only reads; it still types its store as `Store` (resolve/ is reworked apart).
  const reader = backend;
  // Template index and invalidation of answers derived from templates and walk-up.
  const derived = new DerivedAnswers(reader, cache);
  changes.subscribe((key) => derived.changed(key));
  return {
    store,
    legacyStore: announcingStore(backend, changes),
    records,
    homed,
    changes,
    cache,
    tokenKey: opts.tokenKey,
    metrics,
    readiness,
    resolve: instrumentResolver(
      buildResolver({ homed, store: reader, cache, federation: opts.federation, derived }),
      metrics,
      labels,
    ),
    resolvePeer: buildResolver({ homed, store: reader, cache, federation: opts.federation, mode: 'peer', derived }),
    authenticator,
    readers: createReaderResolver(authenticator, opts.trustedIssuers),
    authoritativeReads: new TokenBucket(
      opts.authoritativeReadsPerSecond ?? 50,
      2 * (opts.authoritativeReadsPerSecond ?? 50),
    ),
    audit,
  };
}
