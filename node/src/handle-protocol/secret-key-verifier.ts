import { adminSecret, verifyChallengeAnswer, type SecretKeyring } from '../auth/handle-challenge/index.ts';
import type { AuthLimiter } from '../auth/failure-limiter.ts';
import { makeIdentity, type Identity } from '../auth/identity.ts';
import { IdnError } from '../errors/idn-error.ts';
import { PERM_ALL } from '../records/permissions.ts';
import type { ReadonlyStore } from '../store/store.ts';
import type { ChallengeProof, ChallengeVerifier } from './admin-op.ts';

/**
 * Verifies HS_SECKEY answers against the admin's sealed secret (auth/handle-challenge), by the
 * algorithm byte the answer carries (PBKDF2 from 2.7, SHA-1 / MD5 / HMAC forms of older clients).
 * The secret is zeroed once judged. HS_PUBKEY answers are refused by name (not supported yet).
 */
export function secretKeyVerifier(
  store: ReadonlyStore,
  keyring: SecretKeyring,
  limiter: AuthLimiter,
): ChallengeVerifier {
  return {
    async verify(p: ChallengeProof): Promise<Identity | undefined> {
      if (p.authType.toUpperCase() !== 'HS_SECKEY') {
        throw new IdnError(
          'IDN_ERR_CHALLENGE_FAILED',
          `Authentication type ${p.authType.slice(0, 20)} is not supported here; answer with HS_SECKEY.`,
        );
      }
      const attempt = { path: 'native', client: p.client, admin: `${p.keyIndex}:${p.keyHandle}` } as const;
      return limiter.guard(attempt, async () => {
        const { secret, record } = await adminSecret(store, keyring, { handle: p.keyHandle, index: p.keyIndex });
        try {
          const ok = await verifyChallengeAnswer({ secret, nonce: p.nonce, digest: p.digest, answer: p.answer });
          return ok ? makeIdentity(p.keyIndex, record.handle, 'challenge', PERM_ALL, record.version) : undefined;
        } finally {
          secret.fill(0);
        }
      });
    },
  };
}
