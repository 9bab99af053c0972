/**
 * Handle secret-key challenge-response, for the transports that speak it (the native Handle
 * protocol on 2641, the REST sessions API). A stable API: a server nonce, the verdict on an
 * answer, and the admin's secret bytes from its stored HS_SECKEY value.
 *
 *   const nonce = newNonce();
 *   const secret = openSecret(keyring, value.data);          // throws IDN_ERR_SECRET_UNUSABLE
 *   const ok = await verifyChallengeAnswer({ secret, nonce, digest, answer });
 */
export { ANSWER, PBKDF2_LIMITS, verifyChallengeAnswer, type ChallengeAnswer } from './answer.ts';
export { NONCE_BYTES, newNonce } from './nonce.ts';
export { SecretKeyring } from '../seal/keyring.ts';
export { openSecret } from '../seal/stored-secret.ts';
