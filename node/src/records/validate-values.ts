import { IdnError } from '../errors/idn-error.ts';
import { parseIdentifier } from '../identifier/index.ts';
import { checkLink } from './link-value.ts';
import { isAdminType, isKeyType, isSecretKeyType } from './admin-value.ts';
import {
  formatPermissions,
  PERM_NAMES_MSB_FIRST,
  PERMISSION_STRING,
  permMaskOf,
  unknownPermNames,
} from './permissions.ts';
import { isPolicyType, POLICY_KEYS, POLICY_TYPE } from './policy.ts';
import { MAX_INDEX, type ValueInput } from './schema.ts';
import { sealedSecretProblem, STORED_SECRET_FORMATS } from './sealed-secret.ts';
import type { AccessTier, HandleValue, ValueData } from './types.ts';

/**
 * Semantic checks the JSON schema cannot express: per-type data shapes, unique indexes, sizes.
 * Each failure names the path of the offending value. As in Handle (RFC 3651 §3.1), any type may
 * stand at any index: HS_ADMIN, HS_SECKEY, HS_PUBKEY and HS_VLIST are known by their type. The
 * usual layout (admins at 100-199, keys at 300-399) is only a preference: `layoutWarnings`.
 */

export const DEFAULT_TTL = 86_400;
/** How secret values are shown, and how a client says "keep the stored secret". */
export const REDACTED_FORMAT = 'redacted';
const MAX_VALUE_BYTES = 16 * 1024;
const MAX_URL_CHARS = 2048;
/** Where idnode (and Handle's tools) put these types by habit; elsewhere is allowed, with a warning. */
const ADMIN_RANGE = [100, 199] as const;
const KEY_RANGE = [300, 399] as const;
/** Members of one HS_VLIST; a group larger than this should be split into nested lists. */
export const MAX_VLIST_MEMBERS = 500;
export const RECORD_KINDS = new Set(['product', 'batch', 'model', 'enterprise', 'park']);

const inRange = (i: number, [lo, hi]: readonly [number, number]): boolean => i >= lo && i <= hi;

function fail(path: string, message: string): never {
  throw new IdnError('IDN_ERR_INVALID_VALUE', `${path}: ${message}`, { path });
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
  checkHandleRef(`${path}.value`, v.handle);
  if (typeof v.index !== 'number' || !Number.isInteger(v.index) || v.index < 1)
    fail(`${path}.value.index`, 'must be a positive integer');
  if (typeof v.permissions !== 'string' || !PERMISSION_STRING.test(v.permissions)) {
    fail(
      `${path}.value.permissions`,
      `must be a 12-character string of 0 and 1 (most significant bit first: the last is ADD_HANDLE) or names from ${PERM_NAMES_MSB_FIRST.join(', ')}`,
    );
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
    if (!STORED_SECRET_FORMATS.includes(data.format)) {
      const formats = STORED_SECRET_FORMATS.map((f) => `"${f}"`).join(' or ');
      fail(path, `a copied secret key must arrive sealed (format ${formats}), not "${data.format}"`);
    }
    const why = sealedSecretProblem(data.value, data.format);
    if (why !== undefined) fail(path, `malformed sealed secret: ${why}`);
    return;
  }
  // A record read back and written again carries the redaction marker: the writer keeps the stored hash.
  if (data.format === REDACTED_FORMAT) return;
  const s = stringValue(path, data);
  if (s.length < 12 || s.length > 256) fail(path, 'a secret key must have 12 to 256 characters');
}

function checkHandleRef(path: string, handle: unknown): void {
  if (typeof handle !== 'string') fail(`${path}.handle`, 'must be an identifier string');
  try {
    parseIdentifier(handle, 'text');
  } catch (e) {
    fail(`${path}.handle`, e instanceof Error ? e.message : 'invalid identifier');
  }
}

/** HS_VLIST (Handle REST JSON): `{format:"vlist", value:[{handle, index}, ...]}`, an admin group. */
function checkVlist(path: string, data: ValueData): void {
  if (data.format !== 'vlist' || !Array.isArray(data.value)) {
    fail(path, 'HS_VLIST expects {format:"vlist", value:[{handle, index}, ...]}');
  }
  const members = data.value as unknown[];
  if (members.length > MAX_VLIST_MEMBERS) {
    fail(`${path}.value`, `an HS_VLIST holds at most ${MAX_VLIST_MEMBERS} references; nest lists for larger groups`);
  }
  members.forEach((m, i) => {
    const at = `${path}.value[${i}]`;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) fail(at, 'must be {handle, index}');
    const ref = m as { handle?: unknown; index?: unknown };
    checkHandleRef(at, ref.handle);
    if (typeof ref.index !== 'number' || !Number.isInteger(ref.index) || ref.index < 1 || ref.index > MAX_INDEX) {
      fail(`${at}.index`, `must be an integer from 1 to ${MAX_INDEX}`);
    }
  });
}

/** IDNODE_POLICY (records/policy.ts): `{format:"json", value:{neverReuse: true|false}}`. */
function checkPolicy(path: string, data: ValueData): void {
  const v = data.value as Record<string, unknown> | null;
  if (data.format !== 'json' || v === null || typeof v !== 'object' || Array.isArray(v)) {
    fail(path, `${POLICY_TYPE} expects {format:"json", value:{"neverReuse": true}}`);
  }
  for (const [k, x] of Object.entries(v)) {
    if (!(POLICY_KEYS as readonly string[]).includes(k)) {
      fail(`${path}.value.${k}`, `unknown policy; ${POLICY_TYPE} knows ${POLICY_KEYS.join(', ')}`);
    }
    if (typeof x !== 'boolean') fail(`${path}.value.${k}`, 'must be true or false');
  }
}

function checkByType(path: string, type: string, data: ValueData, form: ValueForm): void {
  if (isPolicyType(type)) return checkPolicy(`${path}.data`, data);
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
    case 'HS_VLIST':
      return checkVlist(`${path}.data`, data);
    case 'HS_SECKEY':
      return checkSecret(`${path}.data`, data, form);
    default:
      return;
  }
}

/**
 * HS_ADMIN permissions may be written as names (`["ADD_HANDLE", "READ_VALUE"]`); they are stored as
 * Handle's string (most significant bit first), so every Handle client reads them unchanged.
 */
function adminPermissionNames(path: string, type: string, data: ValueData): ValueData {
  const v = data.value as { permissions?: unknown } | null;
  if (type.toUpperCase() !== 'HS_ADMIN' || v === null || typeof v !== 'object' || !Array.isArray(v.permissions)) {
    return data;
  }
  const names = v.permissions as unknown[];
  const bad = names.filter((n) => typeof n !== 'string' || unknownPermNames([n]).length > 0);
  if (bad.length > 0 || names.length === 0) {
    fail(
      `${path}.value.permissions`,
      `${bad.length > 0 ? `${bad.map((n) => JSON.stringify(n).slice(0, 30)).join(', ')} is not a right` : 'no rights named'}; ` +
        `write a 12-character string of 0 and 1 or names from ${PERM_NAMES_MSB_FIRST.join(', ')}`,
    );
  }
  return { ...data, value: { ...v, permissions: formatPermissions(permMaskOf(names as string[])) } };
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
    const data = adminPermissionNames(`${path}.data`, type, toData(v.data));
    if (Buffer.byteLength(JSON.stringify(data.value) ?? '', 'utf8') > MAX_VALUE_BYTES) {
      fail(`${path}.data`, `value larger than ${MAX_VALUE_BYTES} bytes`);
    }
    checkByType(path, type.toUpperCase(), data, form);
    const access: AccessTier = isSecretKeyType(type) ? 'authority' : (v.access ?? 'public');
    const timestamp = form === 'stored' ? keptTimestamp(v.timestamp, now) : now;
    return { index: v.index, type, data, ttl: v.ttl ?? DEFAULT_TTL, timestamp, access };
  });
}

/**
 * idnode's layout preferences, as warnings (never refusals): HS_ADMIN outside 100-199, a key
 * (HS_SECKEY, HS_PUBKEY) outside 300-399. Handle accepts these layouts, and so does idnode; the
 * warning helps an operator who did not mean it. `paths` names each value as errors would.
 */
export function layoutWarnings(values: readonly HandleValue[], pathPrefix = 'values'): string[] {
  const out: string[] = [];
  values.forEach((v, i) => {
    const at = `${pathPrefix}[${i}]`;
    if (isAdminType(v.type) && !inRange(v.index, ADMIN_RANGE)) {
      out.push(`${at}: HS_ADMIN at index ${v.index} (idnode keeps HS_ADMIN at 100-199)`);
    }
    if (isKeyType(v.type) && !inRange(v.index, KEY_RANGE)) {
      out.push(`${at}: ${v.type.toUpperCase()} at index ${v.index} (idnode keeps keys at 300-399)`);
    }
  });
  return out;
}
