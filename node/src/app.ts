import { EnterprisePrefixRegistry, SerialAllocator, SuffixRegistry } from '../../prefix-registry/src/index.ts';
import { createReaderResolver } from './access/reader.ts';
import type { TrustedIssuers } from './access/trusted-issuers.ts';
import { NO_AUDIT, type AuditLog } from './audit/audit-log.ts';
import { auditChanges } from './audit/change-audit.ts';
import { limiterObserver } from './auth/limiter-observer.ts';
import type { AuthLimiter } from './auth/failure-limiter.ts';
import { Authenticator } from './auth/authenticate.ts';
import type { SecretKeyring } from './auth/seal/keyring.ts';
import { SessionStore, type SessionSettings } from './auth/sessions/session-store.ts';
import { HomedPrefixes } from './authority/homed-prefixes.ts';
import { DEFAULT_CACHE_POLICY, type CachePolicy } from './cache/cache-policy.ts';
import { ResolutionCache } from './cache/resolution-cache.ts';
import { Readiness } from './health/readiness.ts';
import type { AppContext } from './http/app-context.ts';
import { TokenBucket } from './http/token-bucket.ts';
import { NodeMetrics } from './observability/metrics.ts';
import { PrefixLabeler } from './observability/prefix-label.ts';
import { DEFAULT_PASSPORT_SETTINGS, type PassportSettings } from './passport/settings.ts';
import { TemplateIndex } from './resolve/stages/template.ts';
import { PrefixRecords } from './resolve/stages/prefix-records.ts';
import { buildChain, type FederationStageDeps } from './resolve/order.ts';
import { ResolutionService } from './resolve/resolution-service.ts';
import { cachingNodeRefusal } from './federation/caching-writer.ts';
import { ChangeFeed } from './store/change-feed.ts';
import type { Store } from './store/store.ts';
import { RecordService } from './write/record-service.ts';
import { resealThrough } from './write/reseal.ts';
import { registerTlogMetrics } from './tlog/metrics.ts';
import type { TransparencyLog } from './tlog/transparency-log.ts';
import type { AnswerSigner } from './signing/answer-signer.ts';

export interface AppOptions {
  readonly prefixes: readonly string[];
  readonly tokenKey: Buffer;
  /** Seals and opens the admins' HS_SECKEY values (ADR 0002): main.ts loads it, tests make one. */
  readonly keyring: SecretKeyring;
  /** REST sessions (IDNODE_SESSION_TTL_S, IDNODE_SESSION_MAX); defaults when absent. */
  readonly sessions?: SessionSettings;
  /** The sessions' clock, in ms; default monotonic (tests move it to expire a session). */
  readonly sessionClock?: () => number;
  /** The wrong-secret backoff (ADR 0010); default settings when absent (tests pass one with a clock). */
  readonly authLimiter?: AuthLimiter;
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
  /**
   * Whether this process writes the change audit (default true). Of several workers on one store
   * only one does: it follows the shared change log, so every change is audited exactly once.
   */
  readonly auditChanges?: boolean;
  /** The clock of cache TTLs, stale window and prefetch, in ms; default Date.now (tests drive it). */
  readonly now?: () => number;
  /** IDNODE_PUBLIC_URL and IDNODE_GS1_PREFIX as configured; both unset when absent. */
  readonly passport?: PassportSettings;
  /** The transparency log, opened (main.ts: `<dataDir>/tlog`); it follows this context's change feed. */
  readonly tlog?: TransparencyLog;
  /** Signs resolution answers (ADR 0011): main.ts loads the keys; absent: nothing is signed. */
  readonly signing?: AnswerSigner;
}

/** The app context plus what the gRPC side needs: the peer-mode service that answers other nodes. */
export interface NodeContext extends AppContext {
  readonly resolvePeer: ResolutionService;
}

/** Wires the parts of a node around a store; used by main.ts and by tests. */
export function createAppContext(backend: Store, opts: AppOptions): NodeContext {
  const homed = new HomedPrefixes(opts.prefixes);
  const changes = new ChangeFeed();
  const policy = opts.cache ?? DEFAULT_CACHE_POLICY;
  const cache = policy.enabled ? new ResolutionCache(policy, opts.now ? { now: opts.now } : {}) : undefined;
  const metrics = new NodeMetrics();
  if (backend.recentLogEntries !== undefined) metrics.watchRecentLog(() => backend.recentLogEntries ?? 0);
  if (cache) {
    // The cache owns invalidation: a changed key, the answers built from it, everything after a gap.
    changes.listen(cache);
    metrics.watchCache(cache);
  }
  // The only holder of the writable store; everything else below reads through `store`.
  const records = new RecordService(backend, {
    homed,
    changes,
    metrics,
    keyring: opts.keyring,
    ...(opts.cachingUpstream === undefined ? {} : { refuseClientWrite: cachingNodeRefusal(opts.cachingUpstream) }),
  });
  const store = records.store;
  const labels = new PrefixLabeler([...opts.prefixes, ...(opts.metricsPrefixes ?? [])], opts.metricsPrefixLimit ?? 50);
  const readiness = new Readiness(metrics);
  const authenticator = new Authenticator(store, opts.tokenKey, {
    keyring: opts.keyring,
    reseal: resealThrough(records),
    sessions: new SessionStore(opts.sessions, opts.sessionClock),
    ...(opts.authLimiter === undefined ? {} : { limiter: opts.authLimiter }),
  });
  readiness.add({ name: 'store', check: async () => (await store.lastSeq()) >= 0 });
  const audit = opts.audit ?? NO_AUDIT;
  authenticator.limiter.observer = limiterObserver(metrics, audit);
  if (opts.audit && opts.auditChanges !== false) auditChanges(store, changes, opts.audit);
  // The template index keeps its compiled patterns fresh from the same feed.
  const derived = new TemplateIndex(store);
  changes.listen(derived);
  // So do the prefix records every unknown identifier's walk-up reads.
  const prefixRecords = new PrefixRecords();
  changes.listen(prefixRecords);
  if (opts.tlog) {
    opts.tlog.start(changes);
    registerTlogMetrics(metrics.registry, opts.tlog);
  }
  const readers = createReaderResolver(authenticator, opts.trustedIssuers);
  const rate = opts.authoritativeReadsPerSecond ?? 50;
  const chainDeps = { homed, store, cache, federation: opts.federation, derived, prefixRecords };
  return {
    store,
    records,
    homed,
    changes,
    cache,
    tokenKey: opts.tokenKey,
    keyring: opts.keyring,
    metrics,
    readiness,
    resolution: new ResolutionService({
      chain: buildChain(chainDeps),
      readers,
      audit,
      authoritativeReads: new TokenBucket(rate, 2 * rate),
      metrics: { observer: metrics, prefixes: labels },
    }),
    // Peers: no cache, no follow, no budget (node-to-node traffic), not measured as client resolutions.
    resolvePeer: new ResolutionService({ chain: buildChain({ ...chainDeps, mode: 'peer' }), readers, audit }),
    authenticator,
    readers,
    audit,
    passport: opts.passport ?? DEFAULT_PASSPORT_SETTINGS,
    ...(opts.tlog ? { tlog: opts.tlog } : {}),
    ...(opts.signing === undefined ? {} : { signing: opts.signing }),
    registry: {
      suffixes: new SuffixRegistry(store),
      serials: new SerialAllocator(store),
      // The registry may reserve counter numbers (application ids, prefix numbers) and nothing else.
      applications: (industryPrefix) =>
        new EnterprisePrefixRegistry(store, {
          industryPrefix,
          counters: { allocate: (counter, count) => records.allocate(counter, count) },
        }),
    },
  };
}
