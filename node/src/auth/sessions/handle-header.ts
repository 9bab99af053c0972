import { IdnError } from '../../errors/idn-error.ts';

/**
 * The `Authorization: Handle ...` header of Handle.Net 9's REST API: comma-separated
 * `name=value` pairs, each value a token or a quoted string (RFC 7230), names case-insensitive:
 *   Handle sessionId="…"                                  (use an authenticated session)
 *   Handle version="0", sessionId="…", id="300%3A88.1/ADMIN", type="HS_SECKEY", alg="SHA256",
 *          cnonce="<base64>", signature="<base64>"        (authenticate the session)
 * `id` is percent-decoded; PBKDF2 answers add salt (base64), iterations and length (key bits).
 */

export interface HandleAuthorization {
  readonly version?: string;
  readonly sessionId?: string;
  readonly id?: string;
  readonly type?: string;
  readonly alg?: string;
  readonly cnonce?: string;
  readonly signature?: string;
  readonly salt?: string;
  readonly iterations?: string;
  readonly length?: string;
}

const FIELDS = ['version', 'sessionId', 'id', 'type', 'alg', 'cnonce', 'signature', 'salt', 'iterations', 'length'];
const BY_LOWER = new Map(FIELDS.map((f) => [f.toLowerCase(), f]));
const TOKEN = "[-A-Za-z0-9!#$%&'*+.`^_|~]+";
const QUOTED = '"(?:[^"\\\\]|\\\\.)*"';
const PARAM = new RegExp(`\\s*(${TOKEN})\\s*=\\s*(${TOKEN}|${QUOTED})\\s*(,|$)`, 'y');
const MAX_HEADER = 8192;

const malformed = (why: string): IdnError =>
  new IdnError(
    'IDN_ERR_INVALID_CREDENTIAL',
    `Authorization: Handle ${why}; send name="value" pairs separated by commas.`,
  );

const unquote = (v: string): string => (v.startsWith('"') ? v.slice(1, -1).replace(/\\(.)/g, '$1') : v);

/** The fields of a `Handle` Authorization header (after the scheme). Unknown names are ignored, as Handle.Net does. */
export function parseHandleAuthorization(params: string): HandleAuthorization {
  if (params.length > MAX_HEADER) throw malformed('is too long');
  if (params.trim() === '') throw malformed('has no parameters');
  const out: Record<string, string> = {};
  PARAM.lastIndex = 0;
  while (PARAM.lastIndex < params.length) {
    const at = PARAM.lastIndex;
    const m = PARAM.exec(params);
    if (m === null) throw malformed(`is malformed at character ${at + 1}`);
    const name = BY_LOWER.get(m[1]!.toLowerCase());
    const value = unquote(m[2]!);
    if (name !== undefined) out[name] = name === 'id' ? percentDecoded(value) : value;
    if (m[3] === '' && PARAM.lastIndex < params.length) throw malformed('is malformed');
    if (m[3] === '') break;
  }
  return out;
}

function percentDecoded(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    throw malformed('has an id that is not valid percent-encoding');
  }
}

/** A header that tries to authenticate (any of id, type, alg, signature), as Handle.Net tells it. */
export const isAuthenticating = (h: HandleAuthorization): boolean =>
  h.id !== undefined || h.type !== undefined || h.alg !== undefined || h.signature !== undefined;
