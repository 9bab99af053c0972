/**
 * Handle secret-key challenge-response, for the transports that speak it (the native Handle
 * protocol on 2641, the REST sessions API). A stable API: a server nonce, the verdict on an
 * answer, and the admin's secret bytes from its stored HS_SECKEY value.
 *
 *   const nonce = newNonce();
 *   const { secret, record } = await adminSecret(ctx.store, ctx.keyring, { handle, index });
 *   const ok = await verifyChallengeAnswer({ secret, nonce, digest, answer });
 *   secret.fill(0);
 * (openSecret(keyring, value.data) when the HS_SECKEY value is at hand already.)
 */
export { ANSWER, PBKDF2_LIMITS, verifyChallengeAnswer, type ChallengeAnswer } from './answer.ts';
export { NONCE_BYTES, newNonce } from './nonce.ts';
export { SecretKeyring } from '../seal/keyring.ts';
export { openSecret } from '../seal/stored-secret.ts';
export { adminSecret, type AdminRef, type AdminSecret } from './admin-secret.ts';
