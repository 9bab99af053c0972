import { naHandleOf } from '../authority/homed-prefixes.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { isPublicKeyType } from '../records/admin-value.ts';
import { isLive, type HandleValue } from '../records/types.ts';
import { decodeHandlePublicKey, encodeHandlePublicKey } from '../signing/handle-pubkey.ts';
import { bootstrapPrincipal } from '../write/principal.ts';
import type { RecordService } from '../write/record-service.ts';

/**
 * Every homed prefix's `0.NA/<prefix>` carries the public key that signs this node's answers as
 * an HS_PUBKEY value (Handle key encoding, type ED25519_PUB_KEY: signing/handle-pubkey.ts), so a
 * Handle client that looks the prefix up finds the key beside HS_SITE. Written through
 * RecordService as `bootstrap` at start and after a rotation, only when it changed. It is not an
 * admin identity: HS_ADMIN of `0.NA/<prefix>` names `300:<prefix>/ADMIN`, never this value.
 */
const TYPE = 'HS_PUBKEY';
/** idnode keeps keys at 300-399 (records/validate-values.ts layout warnings). */
const FIRST_KEY_INDEX = 300;

const isNodeKey = (v: HandleValue): boolean =>
  isPublicKeyType(v.type) &&
  v.data.format === 'base64' &&
  typeof v.data.value === 'string' &&
  decodeHandlePublicKey(Buffer.from(v.data.value, 'base64')) !== undefined;

function keyIndex(values: readonly HandleValue[]): number {
  const own = values.find(isNodeKey);
  if (own !== undefined) return own.index;
  const used = new Set(values.map((v) => v.index));
  let i = FIRST_KEY_INDEX;
  while (used.has(i)) i++;
  return i;
}

export async function bootstrapPrefixPubkeys(
  records: RecordService,
  prefixes: readonly string[],
  publicKey: Buffer,
): Promise<void> {
  const who = bootstrapPrincipal(prefixes);
  const value = encodeHandlePublicKey(publicKey).toString('base64');
  for (const prefix of prefixes) {
    const id = parseIdentifier(naHandleOf(prefix), 'text');
    const existing = await records.store.get(id.key);
    if (!isLive(existing)) continue;
    const index = keyIndex(existing.values);
    const current = existing.values.find((v) => v.index === index);
    if (current?.data.format === 'base64' && current.data.value === value) continue;
    const input = { index, type: TYPE, data: { format: 'base64', value } };
    await records.apply(
      {
        changes: [{ op: 'upsert-indexes', id, values: [input], ifMatch: existing.version }],
        reason: 'HS_PUBKEY of this node (answer signing key)',
      },
      who,
    );
  }
}
