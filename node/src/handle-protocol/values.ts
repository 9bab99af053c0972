import { isAdminType, isSecretKeyType, isVlistType, type AdminRef, type ValueRef } from '../records/admin-value.ts';
import { formatPermissions, parsePermissions } from '../records/permissions.ts';
import type { ValueInput } from '../records/schema.ts';
import type { HandleValue, ValueData } from '../records/types.ts';
import { ByteReader, ByteWriter, WireError } from './bytes.ts';

/**
 * Handle values on the wire (RFC 3651 §3.1): index, timestamp, ttlType, ttl, permissions, type,
 * data, references, back to back with no outer length. idnode's JSON data forms (records/types.ts)
 * become the Handle binary forms CNRI clients decode by type: HS_ADMIN and HS_VLIST structured,
 * text as UTF-8, base64/hex as their bytes.
 */

/** Value permission bits (RFC 3651 §3.1). */
const PERM = { ADMIN_READ: 0x08, ADMIN_WRITE: 0x04, PUBLIC_READ: 0x02 } as const;
const MAX_TTL = 2_147_483_647;

function adminBytes(ref: AdminRef): Buffer {
  return new ByteWriter().u16(parsePermissions(ref.permissions)).utf8(ref.handle).u32(ref.index).done();
}

function vlistBytes(refs: readonly ValueRef[]): Buffer {
  const w = new ByteWriter().u32(refs.length);
  for (const r of refs) w.utf8(r.handle).u32(r.index);
  return w.done();
}

/** The data bytes of a stored value, by its data format. */
export function dataBytes(d: ValueData): Buffer {
  const v = d.value;
  switch (d.format) {
    case 'string':
      return Buffer.from(typeof v === 'string' ? v : String(v), 'utf8');
    case 'base64':
      return Buffer.from(typeof v === 'string' ? v : '', 'base64');
    case 'hex':
      return Buffer.from(typeof v === 'string' ? v : '', 'hex');
    case 'admin':
      return adminBytes(v as AdminRef);
    case 'vlist':
      return vlistBytes(v as readonly ValueRef[]);
    case 'redacted':
    case 'scrypt':
      // A secret is never sent: finalise redacts it; an empty value says "there is one".
      return Buffer.alloc(0);
    default:
      return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');
  }
}

const seconds = (iso: string): number => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
};

export function encodeValue(w: ByteWriter, v: HandleValue): void {
  const perms = PERM.ADMIN_READ | PERM.ADMIN_WRITE | (v.access === 'public' ? PERM.PUBLIC_READ : 0);
  w.u32(v.index).u32(seconds(v.timestamp)).u8(0).u32(v.ttl).u8(perms).utf8(v.type).bytes(dataBytes(v.data)).u32(0);
}

/** A value as a client sent it, in the wire's own fields. */
export interface WireValue {
  readonly index: number;
  readonly ttlType: number;
  readonly ttl: number;
  readonly permissions: number;
  readonly type: string;
  readonly data: Buffer;
}

export function decodeValue(r: ByteReader): WireValue {
  const index = r.i32('value index');
  r.u32('value timestamp');
  const ttlType = r.u8('ttl type');
  const ttl = r.u32('ttl');
  const permissions = r.u8('permissions');
  const type = r.utf8('value type');
  const data = r.bytes('value data');
  const refs = r.count('reference count', 8);
  for (let i = 0; i < refs; i++) {
    r.utf8('reference handle');
    r.u32('reference index');
  }
  return { index, ttlType, ttl, permissions, type, data };
}

export function decodeValues(r: ByteReader): WireValue[] {
  // A value is at least 26 bytes (fixed fields and three empty lengths).
  const n = r.count('value count', 26);
  const out: WireValue[] = [];
  for (let i = 0; i < n; i++) out.push(decodeValue(r));
  return out;
}

function decodeAdmin(b: Buffer): ValueData {
  const r = new ByteReader(b);
  const permissions = formatPermissions(r.u16('admin permissions'));
  const handle = r.utf8('admin handle');
  const index = r.u32('admin index');
  return { format: 'admin', value: { handle, index, permissions } };
}

function decodeVlist(b: Buffer): ValueData {
  const r = new ByteReader(b);
  const n = r.count('vlist count', 8);
  const refs: ValueRef[] = [];
  for (let i = 0; i < n; i++) refs.push({ handle: r.utf8('vlist handle'), index: r.u32('vlist index') });
  if (r.remaining !== 0) throw new WireError('HS_VLIST has trailing bytes');
  return { format: 'vlist', value: refs };
}

function textOrBase64(b: Buffer): ValueData | string {
  const s = b.toString('utf8');
  return Buffer.from(s, 'utf8').equals(b) ? s : { format: 'base64', value: b.toString('base64') };
}

/**
 * A wire value as a change set carries it: data by type (HS_ADMIN, HS_VLIST structured; a secret
 * in the clear for RecordService to seal), public read -> tier public, otherwise authority.
 * RecordService judges it like a value from any other transport.
 */
export function toValueInput(w: WireValue, nowSeconds: number): ValueInput {
  const data = isAdminType(w.type)
    ? decodeAdmin(w.data)
    : isVlistType(w.type)
      ? decodeVlist(w.data)
      : isSecretKeyType(w.type)
        ? w.data.toString('utf8')
        : textOrBase64(w.data);
  const ttl = w.ttlType === 1 ? Math.max(0, w.ttl - nowSeconds) : w.ttl;
  const input: ValueInput = { index: w.index, type: w.type, data, ttl: Math.min(ttl, MAX_TTL) };
  // The wire has no legitimate-interest tier: not publicly readable is for authorities.
  return (w.permissions & PERM.PUBLIC_READ) !== 0
    ? input
    : ({ ...input, access: 'authority' } as unknown as ValueInput);
}
