import { IdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';

/** `300%3A88.100.5/ADMIN` (Handle clients percent-encode the colon) or `300:88.100.5/ADMIN`. */
export function parseUser(user: string): { index: number; handle: string } {
  let u: string;
  try {
    u = decodeURIComponent(user);
  } catch {
    throw new IdnError('IDN_ERR_INVALID_CREDENTIAL', 'The Basic user name is not valid percent-encoding.');
  }
  return parseAdminRef(u);
}

/** `300:88.100.5/ADMIN`, already decoded: the index and the admin handle. */
export function parseAdminRef(u: string): { index: number; handle: string } {
  const m = /^(\d{1,10}):(.+)$/.exec(u);
  if (!m)
    throw new IdnError(
      'IDN_ERR_INVALID_CREDENTIAL',
      'The user must be "<index>:<admin-handle>", e.g. 300:88.100.5/ADMIN.',
    );
  const index = Number(m[1]);
  try {
    return { index, handle: parseIdentifier(m[2] ?? '', 'text').handle };
  } catch (e) {
    throw new IdnError(
      'IDN_ERR_INVALID_CREDENTIAL',
      `The admin handle is not a valid identifier: ${(e as Error).message}`,
    );
  }
}
