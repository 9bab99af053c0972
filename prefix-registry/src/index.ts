/** prefix-registry: delegation (top-level), enterprise prefix allocation and suffix registration (secondary). */
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
  Application,
  ApplicationInput,
  ApplicationStatus,
  Approval,
  Contact,
  Decision,
} from './enterprise-prefixes.ts';
export { DEFAULT_IDEMPOTENCY_TTL_MS, Idempotency } from './idempotency.ts';
export type { IdempotencyOptions, Replayable } from './idempotency.ts';
export { ADMIN_KEY_INDEX } from './prefix-records.ts';
export { PrefixTrie } from './prefix-trie.ts';
export { SerialAllocator, renderSerial, serialSuffixes } from './serials.ts';
export type { SerialOptions, SerialRange } from './serials.ts';
export { SuffixRegistry } from './suffixes.ts';
export type { BatchOptions, ItemResult, SuffixItem, ValueInput } from './suffixes.ts';
