import type { Reseal } from '../auth/authenticate.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { resealPrincipal } from './principal.ts';
import type { RecordService } from './record-service.ts';

/**
 * The Authenticator's re-seal hook (auth/authenticate.ts Reseal): the proved secret written again
 * at its index, pinned to the version it was checked against (a concurrent change wins), with the
 * value's type and ttl kept; RecordService seals it like every other secret.
 */
export function resealThrough(records: RecordService): Reseal {
  return async (handle, index, secret, version) => {
    const id = parseIdentifier(handle, 'text');
    const existing = (await records.store.get(id.key))?.values.find((v) => v.index === index);
    if (existing === undefined) return undefined;
    const value = { index, type: existing.type, data: secret, ttl: existing.ttl };
    const change = { op: 'upsert-indexes', id, values: [value], ifMatch: version } as const;
    const result = await records.apply(
      { changes: [change], reason: 'secret key re-sealed (ADR 0002)' },
      resealPrincipal(handle),
    );
    return result.changes[0]?.record.version;
  };
}
