import { NA_PREFIX_KEY } from '../authority/homed-prefixes.ts';
import { IdnError } from '../errors/idn-error.ts';
import type { ParsedIdentifier } from '../identifier/index.ts';
import { METADATA_SCHEMA_TYPE } from './metadata-write-check.ts';
import { isPolicyType, policyOf, POLICY_TYPE } from '../records/policy.ts';
import type { HandleValue, StoredRecord } from '../records/types.ts';

/**
 * May a deleted identifier be created again? Handle says yes, and so does idnode by default. A
 * prefix opts out on its `0.NA/<prefix>` record:
 * - explicitly: `IDNODE_POLICY {"neverReuse": true}` (or `false`, which also overrides the next rule);
 * - implicitly: a `METADATA_SCHEMA` naming `battery-passport`, since a battery passport's
 *   identifier must stay unique to one battery for its whole life (EU 2023/1542 Art. 77), so a
 *   withdrawn one must not come back naming another battery.
 */

/** Metadata templates whose identifiers are never reused unless the prefix says otherwise. */
const NEVER_REUSE_SCHEMAS = new Set(['battery-passport']);

interface Decision {
  readonly neverReuse: boolean;
  /** Where the decision comes from, as the refusal names it. */
  readonly source?: string;
}

function schemaNameOf(v: HandleValue): string | undefined {
  const d = v.data.value;
  const name = typeof d === 'string' ? d : (d as { schema?: unknown } | null)?.schema;
  return typeof name === 'string' ? name : undefined;
}

export function reuseDecision(na: StoredRecord): Decision {
  for (const v of na.values) {
    const neverReuse = isPolicyType(v.type) ? policyOf(v).neverReuse : undefined;
    if (neverReuse !== undefined) {
      return { neverReuse, source: `${POLICY_TYPE} {"neverReuse": ${neverReuse}} at index ${v.index} of ${na.handle}` };
    }
  }
  for (const v of na.values) {
    const schema = v.type.toUpperCase() === METADATA_SCHEMA_TYPE ? schemaNameOf(v) : undefined;
    if (schema !== undefined && NEVER_REUSE_SCHEMAS.has(schema)) {
      return { neverReuse: true, source: `${METADATA_SCHEMA_TYPE} "${schema}" at index ${v.index} of ${na.handle}` };
    }
  }
  return { neverReuse: false };
}

/** Throws IDN_ERR_REUSE_FORBIDDEN when the prefix record forbids creating `tomb` again. */
export function checkReuse(na: StoredRecord | undefined, tomb: StoredRecord): void {
  if (na === undefined) return;
  const d = reuseDecision(na);
  if (!d.neverReuse) return;
  throw new IdnError(
    'IDN_ERR_REUSE_FORBIDDEN',
    `${tomb.handle} was deleted at ${tomb.deletedAt ?? '?'} and is never created again: the never-reuse ` +
      `policy is set by ${d.source ?? na.handle}. Register a new identifier instead.`,
    { handle: tomb.handle, deletedAt: tomb.deletedAt, version: tomb.version, policy: 'never-reuse', setBy: na.handle },
  );
}

/**
 * IDNODE_POLICY means something on a prefix record only, and once: refused elsewhere (it would
 * silently do nothing) and when two values could disagree. A write check of RecordService.
 */
export function checkPolicyPlacement(id: ParsedIdentifier, values: readonly HandleValue[]): Promise<void> {
  const policies = values.filter((v) => isPolicyType(v.type));
  if (policies.length === 0) return Promise.resolve();
  if (id.prefixKey !== NA_PREFIX_KEY) {
    throw new IdnError(
      'IDN_ERR_INVALID_VALUE',
      `${POLICY_TYPE} at index ${policies[0]!.index} belongs on the prefix record 0.NA/${id.prefix}, not on ${id.handle}.`,
      { index: policies[0]!.index },
    );
  }
  if (policies.length > 1) {
    throw new IdnError(
      'IDN_ERR_INVALID_VALUE',
      `${id.handle} would hold ${POLICY_TYPE} at indexes ${policies.map((v) => v.index).join(', ')}; keep one.`,
      { indexes: policies.map((v) => v.index) },
    );
  }
  return Promise.resolve();
}
