import { isSecretKeyType } from './admin-value.ts';
import type { HandleValue } from './types.ts';
import { REDACTED_FORMAT } from './validate-values.ts';

/** What readers see of a secret value (HS_SECKEY, by type at any index): never the hash. */
export function redactSecrets(values: readonly HandleValue[]): readonly HandleValue[] {
  if (!values.some((v) => isSecretKeyType(v.type))) return values;
  return values.map((v) => (isSecretKeyType(v.type) ? { ...v, data: { format: REDACTED_FORMAT, value: null } } : v));
}
