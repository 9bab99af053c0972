import type { EnterprisePrefixRegistry, SerialAllocator, SuffixRegistry } from '../../../prefix-registry/src/index.ts';
import type { ReaderResolver } from '../access/reader.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import type { SecretKeyring } from '../auth/seal/keyring.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { HomedPrefixes } from '../authority/homed-prefixes.ts';
import type { ResolutionService } from '../resolve/resolution-service.ts';
import type { ResolutionCache } from '../cache/resolution-cache.ts';
import type { Readiness } from '../health/readiness.ts';
import type { NodeMetrics } from '../observability/metrics.ts';
import type { PassportSettings } from '../passport/settings.ts';
import type { ChangeFeed } from '../store/change-feed.ts';
import type { ReadonlyStore } from '../store/store.ts';
import type { RecordService } from '../write/record-service.ts';
import type { AnswerSigner } from '../signing/answer-signer.ts';

/** The prefix registry, built once by the wiring over the read-only store; its change sets go through `records`. */
export interface Registries {
  readonly suffixes: SuffixRegistry;
  readonly serials: SerialAllocator;
  /** Enterprise-prefix applications under one homed industry prefix (counters reserved through `records`). */
  applications(industryPrefix: string): EnterprisePrefixRegistry;
}

/** What the HTTP routes need; built once in main.ts (or by tests) and passed to buildServer. */
export interface AppContext {
  /** The one answer path of every resolution route: parse, `answer`, render. */
  readonly resolution: ResolutionService;
  /** The one write path: every write is a change set applied here. */
  readonly records: RecordService;
  readonly authenticator: Authenticator;
  /** Which tier a reader gets (anonymous, admin, passport credential). */
  readonly readers: ReaderResolver;
  /** The audit trail: non-public reads (written by the ResolutionService) and changes. */
  readonly audit: AuditLog;
  /** Reads only; writes go through `records`. */
  readonly store: ReadonlyStore;
  readonly homed: HomedPrefixes;
  readonly tokenKey: Buffer;
  /**
   * Opens the admins' sealed HS_SECKEY values, for challenge-response (auth/handle-challenge).
   * Never log what it opens.
   */
  readonly keyring: SecretKeyring;
  /** Announces every committed change (local writes; other instances' through the backend). */
  readonly changes: ChangeFeed;
  readonly cache: ResolutionCache | undefined;
  readonly metrics: NodeMetrics;
  readonly readiness: Readiness;
  /** Public base URL and GS1 prefix, from configuration (never re-read from the environment by a route). */
  readonly passport: PassportSettings;
  readonly registry: Registries;
  /** Signs resolution answers and publishes the keys (ADR 0011); no signing and no JWKS when absent. */
  readonly signing?: AnswerSigner;
}
