import type { IdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';
import type { AllocatedRange, RecordInput, WriteCondition } from '../store/store.ts';
import type { ValueInput } from './schema.ts';
import type { StoredRecord } from './types.ts';

/*
 * What a caller wants written, before any rule has judged it. Every writer (HTTP PUT/DELETE, the
 * batch route, `idnode import`, prefix-registry decisions, sync apply, bootstrap) describes its
 * write as a ChangeSet and hands it to RecordService.apply (write/record-service.ts), which runs
 * the same value rules, sealing, authorisation and checks for all of them and commits the whole
 * set in one store transaction, all or nothing. Core layer: prefix-registry may build these.
 */

interface ChangeBase {
  /** The identifier, parsed by the caller ('uri' for paths, 'text' for bodies and files). */
  readonly id: ParsedIdentifier;
  /** If-Match: the version the caller read; any other current version fails with 412 (no retry). */
  readonly ifMatch?: number;
  /** How errors name this change's values, e.g. "values" (PUT) or "line 17 values" (batch). */
  readonly valuesPath?: string;
}

/** One change to one identifier; `values` are ValueInput exactly as the client sent them. */
export type IdentifierChange =
  /** Create only: 409 IDN_ERR_ALREADY_EXISTS when the identifier is live (PUT ?overwrite=false); a tombstone is no obstacle. */
  | (ChangeBase & { readonly op: 'create'; readonly values: readonly ValueInput[] })
  /** Create, or replace every non-admin value (and the admins too when `values` has HS_ADMIN). */
  | (ChangeBase & { readonly op: 'replace'; readonly values: readonly ValueInput[] })
  /**
   * Add or replace single values. All of `values` are validated; only those at `indexes` (default:
   * all) are written, and an index missing from `values` is refused (PUT ?index=).
   */
  | (ChangeBase & {
      readonly op: 'upsert-indexes';
      readonly values: readonly ValueInput[];
      readonly indexes?: readonly number[];
      /**
       * Handle's ADD_VALUE ('add': an index already in use is refused, IDN_ERR_VALUE_EXISTS) and
       * MODIFY_VALUE ('modify': a missing index is refused, IDN_ERR_VALUE_NOT_FOUND); default both.
       */
      readonly mode?: 'add' | 'modify';
    })
  | (ChangeBase & { readonly op: 'remove-indexes'; readonly indexes: readonly number[] })
  /**
   * Leaves a tombstone: the REST API answers 404 (as Handle) and the QR route 410 "withdrawn"
   * afterwards; the name may be created again unless the prefix's never-reuse policy forbids it.
   */
  | (ChangeBase & { readonly op: 'delete' });

export type IdentifierChangeOp = IdentifierChange['op'];

/** Records the node keeps about its own work, never client values: they live under these prefixes. */
export const SYSTEM_KEY_PREFIXES = ['0.reg/', '0.sync/'] as const;

export type SystemRecordPurpose = 'registry-state' | 'idempotency-result' | 'sync-provenance' | 'sync-cursor';

/**
 * A record that is not a client value (registry state, an idempotency result, sync provenance):
 * written as given, with its own condition, in the same commit as the identifier changes, so the
 * two can never be observed apart (a stored record without its idempotency result).
 */
export type SystemRecordChange = SystemRecordWrite | SystemRecordAllocation;

export interface SystemRecordWrite {
  readonly purpose: SystemRecordPurpose;
  /** A store key under one of SYSTEM_KEY_PREFIXES. */
  readonly key: string;
  /** The record to store, or null to delete it (tombstone). */
  readonly record: RecordInput | null;
  readonly cond: WriteCondition;
  /** Kept in the change log instead of the set's reason. */
  readonly reason?: string;
  readonly allocate?: undefined;
}

/**
 * Reserves `count` numbers of a counter and stores the record built from them, in the same
 * commit (a serial range and its idempotency result): neither exists without the other.
 */
export interface SystemRecordAllocation {
  readonly purpose: SystemRecordPurpose;
  readonly key: string;
  readonly allocate: { readonly counter: string; readonly count: number };
  /** Pure: builds the record from the range the commit reserved. */
  readonly record: (range: AllocatedRange) => RecordInput;
  readonly cond: WriteCondition;
  readonly reason?: string;
}

export type ChangeStatus = 'created' | 'updated' | 'unchanged' | 'deleted';

/** What a change will do, known after planning and before the commit (versions are deterministic). */
export interface PlannedChange {
  readonly key: string;
  readonly handle: string;
  readonly status: ChangeStatus;
  /** The version the identifier has after the commit (unchanged: its current version). */
  readonly version: number;
}

export interface ChangeSet {
  /** Applied in order; a later change to the same identifier sees the earlier one. */
  readonly changes: readonly IdentifierChange[];
  readonly system?: readonly SystemRecordChange[];
  /**
   * System records derived from the plan of every change (one per change, in order), committed in
   * the same transaction: per-item idempotency results. Runs again if the commit is re-planned
   * after a lost race, so it must be a pure function of its argument.
   */
  readonly systemFor?: (planned: readonly PlannedChange[]) => readonly SystemRecordChange[];
  /** Why, for the change log and the audit. */
  readonly reason?: string;
}

/** The result of one applied change. */
export interface AppliedChange extends PlannedChange {
  /** The record after the commit (unchanged: the stored one). */
  readonly record: StoredRecord;
  /**
   * idnode's layout preferences the written values do not follow (HS_ADMIN outside 100-199, a key
   * outside 300-399): written all the same, as Handle would; transports may show them
   * (HTTP: `x-idnode-warning`). Absent when there is nothing to say.
   */
  readonly warnings?: readonly string[];
}

export interface ApplyResult {
  /** One per change, in the order of `ChangeSet.changes`. */
  readonly changes: readonly AppliedChange[];
  /** The system records after the commit: `system` first, then `systemFor`'s, in their order. */
  readonly system: readonly StoredRecord[];
}

/**
 * Changes judged one by one and committed together (bulk registration): a refused change fails
 * alone, the others still commit, in one transaction per batch (RecordService.applyEach).
 */
export interface ChangeBatch {
  readonly changes: readonly IdentifierChange[];
  /**
   * System records for the changes about to commit (`undefined` at a refused change's place),
   * written in the same transaction: the batch's idempotency result. Pure; runs again whenever
   * the batch is re-planned (a change refused at commit time, a lost race).
   */
  readonly systemFor?: (planned: readonly (PlannedChange | undefined)[]) => readonly SystemRecordChange[];
  readonly reason?: string;
}

/** One change of a batch: applied, or refused with its own error. */
export type BatchOutcome =
  { readonly ok: true; readonly applied: AppliedChange } | { readonly ok: false; readonly error: IdnError };

export interface BatchResult {
  /** One per change, in the order of `ChangeBatch.changes`. */
  readonly outcomes: readonly BatchOutcome[];
  /** The system records after the commit, in `systemFor`'s order (none when nothing committed). */
  readonly system: readonly StoredRecord[];
}

export const isSystemKey = (key: string): boolean => SYSTEM_KEY_PREFIXES.some((p) => key.startsWith(p));
