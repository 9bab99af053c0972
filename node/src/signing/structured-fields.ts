/**
 * The part of RFC 8941 a verifier of idnode's answers needs: Dictionaries (Signature-Input,
 * Signature, Content-Digest) whose members are Items or Inner Lists with Parameters, and the
 * strict re-serialisation of an Inner List (RFC 9421 §2.3 rebuilds `@signature-params` from it).
 * Decimals are read as numbers; anything else malformed throws a SyntaxError.
 */
export type Bare = number | string | boolean | Buffer | { readonly token: string };
export type Parameters = readonly (readonly [string, Bare])[];
export interface SfItem {
  readonly value: Bare;
  readonly params: Parameters;
}
export interface SfInnerList {
  readonly items: readonly SfItem[];
  readonly params: Parameters;
}
export type SfMember = SfItem | SfInnerList;

const KEY = /^[a-z*][a-z0-9_\-.*]*/;
const TOKEN = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/;
const NUMBER = /^-?\d{1,15}(\.\d{1,3})?/;
const BYTES = /^:([A-Za-z0-9+/]*={0,2}):/;

class Cursor {
  readonly text: string;
  at = 0;
  constructor(text: string) {
    this.text = text;
  }
  get rest(): string {
    return this.text.slice(this.at);
  }
  take(re: RegExp, what: string): RegExpExecArray {
    const m = re.exec(this.rest);
    if (m === null) throw new SyntaxError(`expected ${what} at ${this.at}`);
    this.at += m[0].length;
    return m;
  }
  skip(chars: string): void {
    while (this.at < this.text.length && chars.includes(this.text[this.at]!)) this.at++;
  }
}

function readString(c: Cursor): string {
  let out = '';
  for (let i = c.at + 1; i < c.text.length; i++) {
    const ch = c.text[i]!;
    if (ch === '"') {
      c.at = i + 1;
      return out;
    }
    if (ch === '\\') {
      const next = c.text[++i];
      if (next !== '"' && next !== '\\') break;
      out += next;
    } else if (ch < ' ' || ch > '~') break;
    else out += ch;
  }
  throw new SyntaxError(`bad string at ${c.at}`);
}

function readBare(c: Cursor): Bare {
  const ch = c.text[c.at] ?? '';
  if (ch === '"') return readString(c);
  if (ch === ':') return Buffer.from(c.take(BYTES, 'a byte sequence')[1]!, 'base64');
  if (ch === '?') return c.take(/^\?[01]/, 'a boolean')[0] === '?1';
  if (ch === '-' || (ch >= '0' && ch <= '9')) return Number(c.take(NUMBER, 'a number')[0]);
  return { token: c.take(TOKEN, 'an item')[0] };
}

function readParams(c: Cursor): [string, Bare][] {
  const out: [string, Bare][] = [];
  while (c.text[c.at] === ';') {
    c.at++;
    c.skip(' ');
    const name = c.take(KEY, 'a parameter name')[0];
    let value: Bare = true;
    if (c.text[c.at] === '=') {
      c.at++;
      value = readBare(c);
    }
    const i = out.findIndex(([n]) => n === name);
    if (i >= 0) out[i] = [name, value];
    else out.push([name, value]);
  }
  return out;
}

function readMember(c: Cursor): SfMember {
  if (c.text[c.at] !== '(') return { value: readBare(c), params: readParams(c) };
  c.at++;
  const items: SfItem[] = [];
  for (;;) {
    c.skip(' ');
    if (c.text[c.at] === ')') {
      c.at++;
      return { items, params: readParams(c) };
    }
    items.push({ value: readBare(c), params: readParams(c) });
    const next = c.text[c.at];
    if (next !== ' ' && next !== ')') throw new SyntaxError(`bad inner list at ${c.at}`);
  }
}

export function parseSfDictionary(text: string): Map<string, SfMember> {
  const c = new Cursor(text.trim());
  const out = new Map<string, SfMember>();
  while (c.at < c.text.length) {
    const name = c.take(KEY, 'a member name')[0];
    if (c.text[c.at] === '=') {
      c.at++;
      out.set(name, readMember(c));
    } else out.set(name, { value: true, params: readParams(c) });
    c.skip(' \t');
    if (c.at >= c.text.length) break;
    if (c.text[c.at] !== ',') throw new SyntaxError(`expected "," at ${c.at}`);
    c.at++;
    c.skip(' \t');
    if (c.at >= c.text.length) throw new SyntaxError('trailing ","');
  }
  return out;
}

function bareText(v: Bare): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return `"${v.replace(/[\\"]/g, (ch) => `\\${ch}`)}"`;
  if (typeof v === 'boolean') return v ? '?1' : '?0';
  if (Buffer.isBuffer(v)) return `:${v.toString('base64')}:`;
  return v.token;
}

const paramsText = (p: Parameters): string =>
  p.map(([k, v]) => (v === true ? `;${k}` : `;${k}=${bareText(v)}`)).join('');

export const itemText = (i: SfItem): string => bareText(i.value) + paramsText(i.params);
export const innerListText = (l: SfInnerList): string => `(${l.items.map(itemText).join(' ')})${paramsText(l.params)}`;
export const isSfInnerList = (m: SfMember): m is SfInnerList => 'items' in m;
export const paramOf = (p: Parameters, name: string): Bare | undefined => p.find(([k]) => k === name)?.[1];
