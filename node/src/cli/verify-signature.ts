import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import {
  innerListText,
  isSfInnerList,
  itemText,
  paramOf,
  parseSfDictionary,
  type SfInnerList,
  type SfItem,
} from '../signing/structured-fields.ts';

/**
 * Checks the RFC 9421 signature of an answer from an idnode node (ADR 0011) against that node's
 * /.well-known/jwks.json, and its RFC 9530 Content-Digest against the body: for `idnode verify`
 * and any other client. Request components (`;req`) come from the request the caller sent, so it
 * passes the method and the absolute URL it used.
 */
export interface SignedResponse {
  readonly status: number;
  /** fetch's Headers, or fields by lowercase name. */
  readonly headers: Headers | Readonly<Record<string, string | undefined>>;
  readonly body: Uint8Array;
  readonly request: { readonly method: string; readonly url: string };
}

export interface Jwks {
  readonly keys: readonly {
    readonly kty?: string;
    readonly crv?: string;
    readonly x?: string;
    readonly kid?: string;
  }[];
}

export type SignatureCheck =
  | {
      readonly ok: true;
      readonly kid: string;
      /** When the node signed: for a cached answer, when it was first signed after being cached. */
      readonly created: number | undefined;
      readonly covered: readonly string[];
    }
  | { readonly ok: false; readonly code: SignatureFailure; readonly reason: string };

export type SignatureFailure = 'unsigned' | 'malformed' | 'unknown-key' | 'bad-signature' | 'bad-digest';

const fail = (code: SignatureFailure, reason: string): SignatureCheck => ({ ok: false, code, reason });

function fieldOf(r: SignedResponse, name: string): string | undefined {
  const h = r.headers;
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  return (h as Readonly<Record<string, string | undefined>>)[name];
}

function requestValue(name: string, method: string, url: URL): string {
  switch (name) {
    case '@method':
      return method;
    case '@path':
      return url.pathname === '' ? '/' : url.pathname;
    case '@query':
      return url.search === '' ? '?' : url.search;
    case '@authority':
      return url.host;
    case '@scheme':
      return url.protocol.replace(/:$/, '');
    case '@target-uri':
      return url.href;
    case '@request-target':
      return url.pathname + url.search;
    default:
      throw new SyntaxError(`component ${name} is not supported`);
  }
}

/** One `"name";params: value` line (RFC 9421 §2.5). Request fields (`"x";req`) are not kept by the caller: refused. */
function line(c: SfItem, r: SignedResponse): string {
  if (typeof c.value !== 'string') throw new SyntaxError('a component name is a String');
  const req = paramOf(c.params, 'req') === true;
  if (c.params.some(([k]) => k !== 'req')) throw new SyntaxError(`component ${c.value}: unsupported parameter`);
  let value: string | undefined;
  if (c.value === '@status' && !req) value = String(r.status);
  else if (c.value.startsWith('@')) {
    if (!req) throw new SyntaxError(`${c.value} without ;req in a response`);
    value = requestValue(c.value, r.request.method, new URL(r.request.url));
  } else if (!req) value = fieldOf(r, c.value)?.trim();
  if (value === undefined) throw new SyntaxError(`covered component ${c.value} is missing`);
  return `${itemText(c)}: ${value}\n`;
}

function baseOf(list: SfInnerList, r: SignedResponse): string {
  const seen = new Set<string>();
  let base = '';
  for (const c of list.items) {
    const id = itemText(c);
    if (seen.has(id) || c.value === '@signature-params') throw new SyntaxError(`component ${id} repeated or reserved`);
    seen.add(id);
    base += line(c, r);
  }
  return `${base}"@signature-params": ${innerListText(list)}`;
}

function digestOk(r: SignedResponse): boolean {
  const field = fieldOf(r, 'content-digest');
  if (field === undefined) return false;
  const member = parseSfDictionary(field).get('sha-256');
  if (member === undefined || isSfInnerList(member) || !Buffer.isBuffer(member.value)) return false;
  return member.value.equals(createHash('sha256').update(r.body).digest());
}

function keysOf(jwks: Jwks): Map<string, KeyObject> {
  const out = new Map<string, KeyObject>();
  for (const k of jwks.keys) {
    if (k.kty !== 'OKP' || k.crv !== 'Ed25519' || k.x === undefined || k.kid === undefined) continue;
    out.set(k.kid, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: k.x }, format: 'jwk' }));
  }
  return out;
}

/**
 * The first signature (or `label`) of `response`: signed by a key of `jwks`, over the components it
 * names, including `content-digest`, which must match the body.
 */
export function verifyAnswerSignature(response: SignedResponse, jwks: Jwks, label?: string): SignatureCheck {
  const input = fieldOf(response, 'signature-input');
  const signature = fieldOf(response, 'signature');
  if (input === undefined || signature === undefined)
    return fail('unsigned', 'the answer has no Signature / Signature-Input');
  try {
    const inputs = parseSfDictionary(input);
    const name = label ?? [...inputs.keys()][0];
    const list = name === undefined ? undefined : inputs.get(name);
    const sig = name === undefined ? undefined : parseSfDictionary(signature).get(name);
    if (
      list === undefined ||
      !isSfInnerList(list) ||
      sig === undefined ||
      isSfInnerList(sig) ||
      !Buffer.isBuffer(sig.value)
    )
      return fail('malformed', `no signature labelled ${name ?? '(none)'} in both fields`);
    const covered = list.items.map(itemText);
    if (!covered.includes('"content-digest"')) return fail('malformed', 'the signature does not cover content-digest');
    const kid = paramOf(list.params, 'keyid');
    const alg = paramOf(list.params, 'alg');
    if (typeof kid !== 'string') return fail('malformed', 'the signature names no keyid');
    if (alg !== undefined && alg !== 'ed25519')
      return fail('malformed', 'the signature names an alg other than ed25519');
    const key = keysOf(jwks).get(kid);
    if (key === undefined) return fail('unknown-key', `key ${kid} is not in the node's JWKS (current or previous)`);
    if (!verify(null, Buffer.from(baseOf(list, response), 'ascii'), key, sig.value))
      return fail('bad-signature', 'the signature does not verify: the answer was changed or signed by another key');
    if (!digestOk(response)) return fail('bad-digest', 'Content-Digest does not match the body');
    const created = paramOf(list.params, 'created');
    return { ok: true, kid, created: typeof created === 'number' ? created : undefined, covered };
  } catch (e) {
    return fail('malformed', e instanceof Error ? e.message : String(e));
  }
}
