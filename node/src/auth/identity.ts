import { identifierKey } from '../identifier/index.ts';

/** An authenticated admin, named as Handle names it: `<index>:<admin-handle>`. */
export interface Identity {
  readonly index: number;
  readonly handle: string;
  /** identifierKey(handle), for matching HS_ADMIN references. */
  readonly handleKey: string;
  /** How the caller proved it: Basic, a Bearer token, a REST session's challenge-response (Handle), or a native-protocol challenge. */
  readonly via: 'basic' | 'bearer' | 'session' | 'challenge';
  /** A bearer token may narrow the admin's rights (mask of Perm bits). */
  readonly permMask: number;
  /** Version of the admin handle's record the credential was checked against (binds tokens to it). */
  readonly keyVersion: number;
}

export const identityName = (id: Pick<Identity, 'index' | 'handle'>): string => `${id.index}:${id.handle}`;

export function makeIdentity(
  index: number,
  handle: string,
  via: Identity['via'],
  permMask: number,
  keyVersion: number,
): Identity {
  return { index, handle, handleKey: identifierKey(handle), via, permMask, keyVersion };
}
