/** Records in the Handle model: an identifier maps to a list of typed, indexed values. */

export const ACCESS_TIERS = ['public', 'legitimate-interest', 'authority'] as const;
export type AccessTier = (typeof ACCESS_TIERS)[number];

export interface ValueData {
  /** Handle REST formats: 'string', 'admin', 'base64', 'hex', 'site', 'vlist', 'key', plus 'json' for structured values. */
  readonly format: string;
  readonly value: unknown;
}

export interface HandleValue {
  /** 1..2^31-1, unique within a record. */
  readonly index: number;
  /** 'URL', 'EMAIL', 'HS_ADMIN', 'HS_SECKEY', 'KIND', 'DPP', 'LINK', ... (case kept, compared upper-case). */
  readonly type: string;
  readonly data: ValueData;
  /** Seconds a resolver may cache the value. */
  readonly ttl: number;
  /** ISO 8601, set by the node when the value was last written. */
  readonly timestamp: string;
  /** Who may read it; anonymous readers see 'public' only. */
  readonly access: AccessTier;
}

/** What the store keeps for one identifier. */
export interface StoredRecord {
  /** The registered spelling (NFC), e.g. "88.100.5/BAT-2025-000001". */
  readonly handle: string;
  readonly values: readonly HandleValue[];
  /** Bumped by every write, never reused for a key (a tombstone and a re-creation keep counting); the ETag. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  /**
   * Set when the identifier was deleted. The tombstone keeps the version counting and the change
   * log keeps the history; the name may be created again (Handle semantics) unless its prefix's
   * never-reuse policy forbids it (write/reuse-policy.ts).
   */
  readonly deletedAt?: string;
}

export const isLive = (r: StoredRecord | undefined): r is StoredRecord => r !== undefined && r.deletedAt === undefined;
