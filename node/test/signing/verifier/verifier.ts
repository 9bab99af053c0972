import { createHash, createPublicKey, verify as edVerify, type KeyObject } from 'node:crypto';
import {
  isInnerList,
  parseDictionary,
  serialiseInnerList,
  serialiseItem,
  type InnerList,
  type Item,
} from './structured-fields.ts';

/*
 * An RFC 9421 verifier written for the tests from the RFC text, without node/src: its own
 * structured-field parsing (structured-fields.ts), its own component values (§2.1, §2.2, §2.4)
 * and its own signature base (§2.5). Ed25519 itself and SHA-256 come from node:crypto.
 */

/** A field by lowercase name, repeated lines already joined with ", " (as fetch's Headers does). */
export type FieldGetter = (name: string) => string | null | undefined;

export interface RequestView {
  readonly method: string;
  /** The absolute URL the client used. */
  readonly url: string;
  readonly field: FieldGetter;
}

export type MessageView =
  | { readonly kind: 'request'; readonly request: RequestView }
  | { readonly kind: 'response'; readonly status: number; readonly field: FieldGetter; readonly request?: RequestView };

export type Verdict =
  | { ok: true; keyid: string; created: number | undefined; covered: string[]; tag: string | undefined }
  | { ok: false; reason: string };

function derived(name: string, r: RequestView | undefined, status: number | undefined): string {
  if (name === '@status') {
    if (status === undefined) throw new Error('@status in a request');
    return String(status);
  }
  if (r === undefined) throw new Error(`${name} needs the request`);
  const u = new URL(r.url);
  switch (name) {
    case '@method':
      return r.method;
    case '@authority':
      return u.host.toLowerCase();
    case '@scheme':
      return u.protocol.slice(0, -1).toLowerCase();
    case '@target-uri':
      return r.url;
    case '@request-target':
      return `${u.pathname}${u.search}`;
    case '@path':
      return u.pathname === '' ? '/' : u.pathname;
    case '@query':
      return u.search === '' ? '?' : u.search;
    default:
      throw new Error(`unknown derived component ${name}`);
  }
}

function componentValue(c: Item, m: MessageView): string {
  if (c.item.t !== 'str') throw new Error('a component identifier is a String');
  const name = c.item.v;
  const known = new Set(['req']);
  for (const [k] of c.params) if (!known.has(k)) throw new Error(`unsupported component parameter ${k}`);
  const req = c.params.some(([k, v]) => k === 'req' && v.t === 'bool' && v.v);
  if (req && m.kind === 'request') throw new Error('req in a request signature');
  const fromRequest = m.kind === 'request' || req;
  const request = m.kind === 'request' ? m.request : m.request;
  if (name.startsWith('@'))
    return derived(
      name,
      fromRequest ? request : undefined,
      fromRequest ? undefined : m.kind === 'response' ? m.status : undefined,
    );
  const field = fromRequest ? request?.field : m.kind === 'response' ? m.field : undefined;
  const value = field?.(name);
  if (value === null || value === undefined) throw new Error(`covered field ${name} is missing`);
  return value.trim();
}

/** The signature base of `label`'s Signature-Input member (§2.5), and that member parsed. */
export function signatureBase(
  m: MessageView,
  signatureInput: string,
  label: string,
): { base: string; input: InnerList } {
  const member = parseDictionary(signatureInput).get(label);
  if (member === undefined || !isInnerList(member)) throw new Error(`no Signature-Input member ${label}`);
  const seen = new Set<string>();
  let base = '';
  for (const c of member.list) {
    const id = serialiseItem(c);
    if (seen.has(id)) throw new Error(`duplicate component ${id}`);
    seen.add(id);
    if (c.item.t === 'str' && c.item.v === '@signature-params') throw new Error('@signature-params covered');
    base += `${id}: ${componentValue(c, m)}\n`;
  }
  base += `"@signature-params": ${serialiseInnerList(member)}`;
  if (!/^[\x20-\x7e\n]*$/.test(base)) throw new Error('signature base is not ASCII');
  return { base, input: member };
}

const param = (l: InnerList, name: string) => l.params.find(([k]) => k === name)?.[1];

/** Verifies `label` (default: the only signature) with the key its keyid names. */
export function verifySignature(
  m: MessageView,
  keyFor: (keyid: string) => KeyObject | undefined,
  label?: string,
): Verdict {
  const field = m.kind === 'request' ? m.request.field : m.field;
  const input = field('signature-input');
  const sigs = field('signature');
  if (!input || !sigs) return { ok: false, reason: 'no Signature / Signature-Input' };
  try {
    const dict = parseDictionary(sigs);
    const chosen = label ?? (dict.size === 1 ? [...dict.keys()][0]! : undefined);
    if (chosen === undefined) return { ok: false, reason: 'several signatures and no label chosen' };
    const sig = dict.get(chosen);
    if (sig === undefined || isInnerList(sig) || sig.item.t !== 'bin')
      return { ok: false, reason: `no signature ${chosen}` };
    const { base, input: list } = signatureBase(m, input, chosen);
    const keyid = param(list, 'keyid');
    if (keyid?.t !== 'str') return { ok: false, reason: 'no keyid' };
    const alg = param(list, 'alg');
    if (alg !== undefined && !(alg.t === 'str' && alg.v === 'ed25519'))
      return { ok: false, reason: 'alg is not ed25519' };
    const key = keyFor(keyid.v);
    if (key === undefined) return { ok: false, reason: `unknown key ${keyid.v}` };
    if (!edVerify(null, Buffer.from(base, 'ascii'), key, sig.item.v)) return { ok: false, reason: 'bad signature' };
    const created = param(list, 'created');
    const tag = param(list, 'tag');
    return {
      ok: true,
      keyid: keyid.v,
      created: created?.t === 'int' ? created.v : undefined,
      covered: list.list.map(serialiseItem),
      tag: tag?.t === 'str' ? tag.v : undefined,
    };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** RFC 9530: the sha-256 member of Content-Digest equals the hash of these content bytes. */
export function contentDigestMatches(header: string | null | undefined, body: Buffer): boolean {
  if (!header) return false;
  const member = parseDictionary(header).get('sha-256');
  if (member === undefined || isInnerList(member) || member.item.t !== 'bin') return false;
  return member.item.v.equals(createHash('sha256').update(body).digest());
}

/** A JWK Set's Ed25519 keys by kid. */
export function keysOf(jwks: { keys: { kty: string; crv: string; x: string; kid: string }[] }): Map<string, KeyObject> {
  const out = new Map<string, KeyObject>();
  for (const k of jwks.keys) {
    if (k.kty !== 'OKP' || k.crv !== 'Ed25519') continue;
    out.set(k.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.x }, format: 'jwk' }));
  }
  return out;
}
