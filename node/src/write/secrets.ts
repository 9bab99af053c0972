import { hashSecret } from '../records/secret-hash.ts';
import { IdnError } from '../errors/idn-error.ts';
import { isSecretKeyType } from '../records/admin-value.ts';
import { SEALED_SECRET_FORMAT } from '../records/sealed-secret.ts';
import type { HandleValue } from '../records/types.ts';
import { REDACTED_FORMAT } from '../records/validate-values.ts';

/**
 * HS_SECKEY values arrive in the clear (or as the redaction marker) and are stored only as
 * scrypt hashes. A redacted value keeps the stored hash at the same index. A value already sealed
 * is kept: validateValues lets one through only from a principal copying stored values (sync),
 * and only well formed.
 */
export async function sealSecrets(
  values: readonly HandleValue[],
  existing: readonly HandleValue[],
): Promise<HandleValue[]> {
  // Most records hold no secret: no promise per value for them (bulk registration runs this per line).
  if (!values.some((v) => isSecretKeyType(v.type))) return [...values];
  const stored = new Map(existing.map((v) => [v.index, v]));
  return Promise.all(
    values.map(async (v) => {
      if (!isSecretKeyType(v.type) || v.data.format === SEALED_SECRET_FORMAT) return v;
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
      return { ...v, data: { format: 'scrypt', value: await hashSecret(v.data.value) } };
    }),
  );
}
