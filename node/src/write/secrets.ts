import type { SecretKeyring } from '../auth/seal/keyring.ts';
import { IdnError } from '../errors/idn-error.ts';
import { isSecretKeyType } from '../records/admin-value.ts';
import { SEALED_FORMAT, STORED_SECRET_FORMATS } from '../records/sealed-secret.ts';
import type { HandleValue } from '../records/types.ts';
import { REDACTED_FORMAT } from '../records/validate-values.ts';

/**
 * HS_SECKEY values arrive in the clear (or as the redaction marker) and are stored only sealed
 * under the node's seal key (AES-256-GCM, reversible: ADR 0002), never in the clear. A redacted
 * value keeps the stored value at the same index. A value already in a stored form (sealed, or a
 * legacy scrypt hash) is kept as it is: validateValues lets one through only from a principal
 * copying stored values (sync), and only well formed; the top-level keeps such copies opaque.
 */
export function sealSecrets(
  values: readonly HandleValue[],
  existing: readonly HandleValue[],
  keyring: SecretKeyring,
): HandleValue[] {
  // Most records hold no secret: nothing to do for them (bulk registration runs this per line).
  if (!values.some((v) => isSecretKeyType(v.type))) return [...values];
  const stored = new Map(existing.map((v) => [v.index, v]));
  return values.map((v) => {
    if (!isSecretKeyType(v.type) || STORED_SECRET_FORMATS.includes(v.data.format)) return v;
    if (v.data.format === REDACTED_FORMAT) {
      const prev = stored.get(v.index);
      if (!prev || !isSecretKeyType(prev.type)) {
        throw new IdnError(
          'IDN_ERR_INVALID_VALUE',
          `values: index ${v.index} is redacted but no secret is stored there.`,
        );
      }
      return prev;
    }
    if (typeof v.data.value !== 'string')
      throw new IdnError('IDN_ERR_INVALID_VALUE', `values: index ${v.index} secret must be a string.`);
    return { ...v, data: { format: SEALED_FORMAT, value: keyring.seal(v.data.value) } };
  });
}

/** Lives in records/ (the change history redacts too); kept here for the resolution path's import. */
export { redactSecrets } from '../records/redact.ts';
