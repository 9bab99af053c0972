// Original file: proto/idnode/v1/common.proto

/**
 * Who may read a value. Anonymous callers are PUBLIC. Readers fail closed: UNSPECIFIED, and any value
 * they do not know (a newer peer's tier), are read as AUTHORITY, the most restricted tier, never as
 * PUBLIC (node/src/wire/record-codec.ts).
 */
export const AccessTier = {
  ACCESS_TIER_UNSPECIFIED: 'ACCESS_TIER_UNSPECIFIED',
  ACCESS_TIER_PUBLIC: 'ACCESS_TIER_PUBLIC',
  ACCESS_TIER_LEGITIMATE_INTEREST: 'ACCESS_TIER_LEGITIMATE_INTEREST',
  ACCESS_TIER_AUTHORITY: 'ACCESS_TIER_AUTHORITY',
} as const;

/**
 * Who may read a value. Anonymous callers are PUBLIC. Readers fail closed: UNSPECIFIED, and any value
 * they do not know (a newer peer's tier), are read as AUTHORITY, the most restricted tier, never as
 * PUBLIC (node/src/wire/record-codec.ts).
 */
export type AccessTier =
  | 'ACCESS_TIER_UNSPECIFIED'
  | 0
  | 'ACCESS_TIER_PUBLIC'
  | 1
  | 'ACCESS_TIER_LEGITIMATE_INTEREST'
  | 2
  | 'ACCESS_TIER_AUTHORITY'
  | 3;

/**
 * Who may read a value. Anonymous callers are PUBLIC. Readers fail closed: UNSPECIFIED, and any value
 * they do not know (a newer peer's tier), are read as AUTHORITY, the most restricted tier, never as
 * PUBLIC (node/src/wire/record-codec.ts).
 */
export type AccessTier__Output = (typeof AccessTier)[keyof typeof AccessTier];
