import { IdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { checkLink } from '../passport/link-value.ts';
import { PERMISSION_STRING } from './permissions.ts';
import { SEALED_SECRET_FORMAT, sealedSecretProblem } from './sealed-secret.ts';
import type { ValueInput } from './schema.ts';
import type { AccessTier, HandleValue, ValueData } from './types.ts';

/**
 * Semantic checks the JSON schema cannot express: reserved index ranges, per-type data shapes,
 * unique indexes, sizes. Each failure names the path of the offending value.
 */

export const DEFAULT_TTL = 86_400;
/** How secret values are shown, and how a client says "keep the stored secret". */
export const REDACTED_FORMAT = 'redacted';
const MAX_VALUE_BYTES = 16 * 1024;
const MAX_URL_CHARS = 2048;
const ADMIN_RANGE = [100, 199] as const;
const KEY_RANGE = [300, 399] as const;
const KEY_TYPES = new Set(['HS_SECKEY', 'HS_PUBKEY']);
export const RECORD_KINDS = new Set(['product', 'batch', 'model', 'enterprise', 'park']);

const inRange = (i: number, [lo, hi]: readonly [number, number]): boolean => i >= lo && i <= hi;

function fail(
  path: string,
  message: string,
  code: 'IDN_ERR_INVALID_VALUE' | 'IDN_ERR_RESERVED_INDEX' = 'IDN_ERR_INVALID_VALUE',
): never {
  throw new IdnError(code, `${path}: ${message}`, { path });
}

function checkReservedIndex(path: string, index: number, type: string): void {
  const isAdmin = type === 'HS_ADMIN';
  const isKey = KEY_TYPES.has(type);
  if (inRange(index, ADMIN_RANGE) !== isAdmin) {
    fail(path, `indexes 100-199 hold HS_ADMIN values only (index ${index}, type ${type})`, 'IDN_ERR_RESERVED_INDEX');
  }
  if (inRange(index, KEY_RANGE) !== isKey) {
    fail(
      path,
      `indexes 300-399 hold HS_SECKEY/HS_PUBKEY values only (index ${index}, type ${type})`,
      'IDN_ERR_RESERVED_INDEX',
    );
  }
}

function stringValue(path: string, data: ValueData): string {
  if (data.format !== 'string' || typeof data.value !== 'string')
    fail(path, 'expects {format:"string", value:<string>}');
  return data.value;
}

const CONTROL = /\p{Cc}/u;

export function checkUrl(path: string, s: string): void {
  if (s.length > MAX_URL_CHARS) fail(path, `URL longer than ${MAX_URL_CHARS} characters`);
  // The URL parser drops CR/LF and tabs, but the raw string is what goes into a Location header.
  if (CONTROL.test(s)) fail(path, 'URL contains control characters (CR, LF, NUL, ...)');
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return fail(path, `"${s.slice(0, 80)}" is not an absolute URL`);
  }
  // Redirect targets must be web URLs: never javascript:, data: or file: (open redirect / XSS).
  if (u.protocol !== 'https:' && u.protocol !== 'http:') fail(path, `URL scheme "${u.protocol}" is not http or https`);
}

/** Whether `s` passes the URL value rule: what a renderer may put in a Location or Link header. */
export function isWebUrl(s: unknown): s is string {
  if (typeof s !== 'string') return false;
  try {
    checkUrl('url', s);
    return true;
  } catch {
    return false;
  }
}

function checkAdmin(path: string, data: ValueData): void {
  const v = data.value as { handle?: unknown; index?: unknown; permissions?: unknown } | null;
  if (data.format !== 'admin' || v === null || typeof v !== 'object') {
    fail(path, 'HS_ADMIN expects {format:"admin", value:{handle, index, permissions}}');
  }
  if (typeof v.handle !== 'string') fail(`${path}.value.handle`, 'must be an identifier string');
  try {
    parseIdentifier(v.handle, 'text');
  } catch (e) {
    fail(`${path}.value.handle`, e instanceof Error ? e.message : 'invalid identifier');
  }
  if (typeof v.index !== 'number' || !Number.isInteger(v.index) || v.index < 1)
    fail(`${path}.value.index`, 'must be a positive integer');
  if (typeof v.permissions !== 'string' || !PERMISSION_STRING.test(v.permissions)) {
    fail(`${path}.value.permissions`, 'must be a 12-character string of 0 and 1');
  }
}

/**
 * How values arrive. 'client' (every API path): secrets in the clear or redacted, timestamps set
 * now. 'stored' (a copy of another node's stored values, sync apply): secrets only already sealed
 * (a cleartext or redacted one is refused: the sender should never hold one), timestamps kept.
 */
export type ValueForm = 'client' | 'stored';

function checkSecret(path: string, data: ValueData, form: ValueForm): void {
  if (form === 'stored') {
    if (data.format !== SEALED_SECRET_FORMAT) {
      fail(path, `a copied secret key must arrive sealed (format "${SEALED_SECRET_FORMAT}"), not "${data.format}"`);
    }
    const why = sealedSecretProblem(data.value);
    if (why !== undefined) fail(path, `malformed sealed secret: ${why}`);
    return;
  }
  // A record read back and written again carries the redaction marker: the writer keeps the stored hash.
  if (data.format === REDACTED_FORMAT) return;
  const s = stringValue(path, data);
  if (s.length < 12 || s.length > 256) fail(path, 'a secret key must have 12 to 256 characters');
}

function checkByType(path: string, type: string, data: ValueData, form: ValueForm): void {
  switch (type) {
    case 'URL':
      return checkUrl(`${path}.data`, stringValue(`${path}.data`, data));
    case 'EMAIL': {
      const s = stringValue(`${path}.data`, data);
      if (!/^[^@\s]+@[^@\s]+$/.test(s) || s.length > 254)
        fail(`${path}.data`, `"${s.slice(0, 80)}" is not an e-mail address`);
      return;
    }
    case 'KIND': {
      const s = stringValue(`${path}.data`, data);
      if (!RECORD_KINDS.has(s)) fail(`${path}.data`, `KIND must be one of ${[...RECORD_KINDS].join(', ')}`);
      return;
    }
    case 'LINK':
      return checkLink(`${path}.data`, data);
    case 'HS_ADMIN':
      return checkAdmin(`${path}.data`, data);
    case 'HS_SECKEY':
      return checkSecret(`${path}.data`, data, form);
    default:
      return;
  }
}

function toData(d: ValueInput['data']): ValueData {
  return typeof d === 'string' ? { format: 'string', value: d } : { format: d.format, value: d.value };
}

/** One link per record is the default: a second `default: true` would make a scan ambiguous. */
function checkSingleDefault(values: readonly HandleValue[], pathPrefix: string): void {
  const defaults = values.filter(
    (v) => v.type.toUpperCase() === 'LINK' && (v.data.value as { default?: unknown }).default === true,
  );
  if (defaults.length > 1) {
    const path = `${pathPrefix}[${values.indexOf(defaults[1] as HandleValue)}].data.value.default`;
    throw new IdnError(
      'IDN_ERR_INVALID_LINK',
      `${path}: only one LINK value per record may be the default (indexes ${defaults.map((d) => d.index).join(', ')})`,
      { path },
    );
  }
}

/**
 * Turns request values into stored values: checked, canonical type spelling, timestamps set now
 * (form 'stored': kept as sent when they are a valid date).
 */
export function validateValues(
  input: readonly ValueInput[],
  now: string,
  pathPrefix = 'values',
  form: ValueForm = 'client',
): HandleValue[] {
  const values = validateEach(input, now, pathPrefix, form);
  checkSingleDefault(values, pathPrefix);
  return values;
}

const keptTimestamp = (t: string | undefined, now: string): string =>
  t !== undefined && !Number.isNaN(Date.parse(t)) ? t : now;

function validateEach(input: readonly ValueInput[], now: string, pathPrefix: string, form: ValueForm): HandleValue[] {
  const seen = new Set<number>();
  return input.map((v, i) => {
    const path = `${pathPrefix}[${i}]`;
    if (seen.has(v.index))
      throw new IdnError('IDN_ERR_DUPLICATE_INDEX', `${path}: index ${v.index} appears twice`, {
        path,
        index: v.index,
      });
    seen.add(v.index);
    const type = v.type.toUpperCase().startsWith('HS_') ? v.type.toUpperCase() : v.type;
    checkReservedIndex(path, v.index, type.toUpperCase());
    const data = toData(v.data);
    if (Buffer.byteLength(JSON.stringify(data.value) ?? '', 'utf8') > MAX_VALUE_BYTES) {
      fail(`${path}.data`, `value larger than ${MAX_VALUE_BYTES} bytes`);
    }
    checkByType(path, type.toUpperCase(), data, form);
    const access: AccessTier = type === 'HS_SECKEY' ? 'authority' : (v.access ?? 'public');
    const timestamp = form === 'stored' ? keptTimestamp(v.timestamp, now) : now;
    return { index: v.index, type, data, ttl: v.ttl ?? DEFAULT_TTL, timestamp, access };
  });
}
