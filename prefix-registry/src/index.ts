/**
 * prefix-registry: delegation (top-level), enterprise prefix allocation and suffix registration
 * (secondary). Rules only: it reads a ReadonlyStore and returns change sets; the node applies
 * them through its RecordService (every value rule, one commit), and no registry can write.
 */
export { checkCreditCode, creditCodeCheckChar, isValidCreditCode } from './credit-code.ts';
export { DelegationRegistry } from './delegations.ts';
export type {
  DelegateOptions,
  Delegation,
  DelegationDecision,
  NodeRegistration,
  NodeRole,
  SiteInfo,
} from './delegations.ts';
export { EnterprisePrefixRegistry } from './enterprise-prefixes.ts';
export type {
  Counters,
  Application,
  ApplicationInput,
  ApplicationStatus,
  Approval,
  Contact,
  Decision,
} from './enterprise-prefixes.ts';
export { DEFAULT_IDEMPOTENCY_TTL_MS, Idempotency, resultOf } from './idempotency.ts';
export type { IdempotencyCheck, IdempotencyOptions, Replayable } from './idempotency.ts';
export { decide } from './plan.ts';
export type { ApplySet, Planned } from './plan.ts';
export { ADMIN_KEY_INDEX } from './prefix-records.ts';
export { PrefixTrie } from './prefix-trie.ts';
export { SerialAllocator, renderSerial, serialSuffixes } from './serials.ts';
export type { SerialOptions, SerialRange } from './serials.ts';
export { ChunkPlan, SuffixBatch, SuffixRegistry, lineHash } from './suffixes.ts';
export type { ApplyBatch, BatchLine, ItemResult, SuffixItem, ValueInput } from './suffixes.ts';
