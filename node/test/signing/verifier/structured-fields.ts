/**
 * An RFC 8941 parser written for the tests, independently of node/src (which only serialises):
 * Dictionaries whose members are Items or Inner Lists, with Parameters (§4.2). It keeps what it
 * parsed in order, and re-serialises an Inner List per §4.1 for RFC 9421's `@signature-params`.
 */
export type BareItem =
  | { t: 'int'; v: number }
  | { t: 'dec'; v: number }
  | { t: 'str'; v: string }
  | { t: 'tok'; v: string }
  | { t: 'bin'; v: Buffer }
  | { t: 'bool'; v: boolean };

export type Params = [string, BareItem][];
export interface Item {
  item: BareItem;
  params: Params;
}
export interface InnerList {
  list: Item[];
  params: Params;
}
export type Member = Item | InnerList;

class Reader {
  i = 0;
  readonly s: string;
  constructor(s: string) {
    this.s = s;
  }
  peek(): string {
    return this.s[this.i] ?? '';
  }
  eof(): boolean {
    return this.i >= this.s.length;
  }
  fail(what: string): never {
    throw new Error(`structured field: ${what} at ${this.i} in ${JSON.stringify(this.s)}`);
  }
  skipSp(): void {
    while (this.peek() === ' ') this.i++;
  }
  skipOws(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.i++;
  }
}

function key(r: Reader): string {
  if (!/[a-z*]/.test(r.peek())) r.fail('key');
  const start = r.i;
  while (/[a-z0-9_\-.*]/.test(r.peek()) && !r.eof()) r.i++;
  return r.s.slice(start, r.i);
}

function bare(r: Reader): BareItem {
  const c = r.peek();
  if (c === '"') {
    r.i++;
    let out = '';
    for (;;) {
      if (r.eof()) r.fail('unterminated string');
      const ch = r.s[r.i++]!;
      if (ch === '\\') {
        const next = r.s[r.i++];
        if (next !== '"' && next !== '\\') r.fail('bad escape');
        out += next;
      } else if (ch === '"') return { t: 'str', v: out };
      else if (ch < ' ' || ch > '~') r.fail('non-printable in string');
      else out += ch;
    }
  }
  if (c === ':') {
    r.i++;
    const end = r.s.indexOf(':', r.i);
    if (end < 0) r.fail('unterminated byte sequence');
    const b64 = r.s.slice(r.i, end);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) r.fail('bad base64');
    r.i = end + 1;
    return { t: 'bin', v: Buffer.from(b64, 'base64') };
  }
  if (c === '?') {
    r.i++;
    const d = r.s[r.i++];
    if (d !== '0' && d !== '1') r.fail('boolean');
    return { t: 'bool', v: d === '1' };
  }
  if (c === '-' || /[0-9]/.test(c)) {
    const m = /^-?[0-9]{1,15}(\.[0-9]{1,3})?/.exec(r.s.slice(r.i));
    if (!m) r.fail('number');
    r.i += m[0].length;
    return m[1] === undefined ? { t: 'int', v: Number(m[0]) } : { t: 'dec', v: Number(m[0]) };
  }
  if (/[A-Za-z*]/.test(c)) {
    const start = r.i;
    while (/[!#$%&'*+\-.^_`|~0-9A-Za-z:/]/.test(r.peek()) && !r.eof()) r.i++;
    return { t: 'tok', v: r.s.slice(start, r.i) };
  }
  return r.fail('item');
}

function params(r: Reader): Params {
  const out: Params = [];
  while (r.peek() === ';') {
    r.i++;
    r.skipSp();
    const k = key(r);
    let v: BareItem = { t: 'bool', v: true };
    if (r.peek() === '=') {
      r.i++;
      v = bare(r);
    }
    const at = out.findIndex(([n]) => n === k);
    if (at >= 0) out[at] = [k, v];
    else out.push([k, v]);
  }
  return out;
}

function member(r: Reader): Member {
  if (r.peek() !== '(') {
    const item = bare(r);
    return { item, params: params(r) };
  }
  r.i++;
  const list: Item[] = [];
  for (;;) {
    r.skipSp();
    if (r.peek() === ')') {
      r.i++;
      return { list, params: params(r) };
    }
    const item = bare(r);
    list.push({ item, params: params(r) });
    if (r.peek() !== ' ' && r.peek() !== ')') r.fail('inner list separator');
  }
}

export function parseDictionary(text: string): Map<string, Member> {
  const r = new Reader(text);
  const out = new Map<string, Member>();
  r.skipSp();
  while (!r.eof()) {
    const k = key(r);
    let m: Member = { item: { t: 'bool', v: true }, params: [] };
    if (r.peek() === '=') {
      r.i++;
      m = member(r);
    } else m = { item: m.item, params: params(r) };
    out.set(k, m);
    r.skipOws();
    if (r.eof()) break;
    if (r.peek() !== ',') r.fail('dictionary separator');
    r.i++;
    r.skipOws();
    if (r.eof()) r.fail('trailing comma');
  }
  return out;
}

function serialiseBare(b: BareItem): string {
  switch (b.t) {
    case 'int':
      return String(b.v);
    case 'dec':
      return Number.isInteger(b.v) ? `${b.v}.0` : String(b.v);
    case 'str':
      return `"${b.v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
    case 'tok':
      return b.v;
    case 'bin':
      return `:${b.v.toString('base64')}:`;
    case 'bool':
      return b.v ? '?1' : '?0';
  }
}

export const serialiseParams = (p: Params): string =>
  p.map(([k, v]) => (v.t === 'bool' && v.v ? `;${k}` : `;${k}=${serialiseBare(v)}`)).join('');

export const serialiseItem = (i: Item): string => serialiseBare(i.item) + serialiseParams(i.params);

export const serialiseInnerList = (l: InnerList): string =>
  `(${l.list.map(serialiseItem).join(' ')})${serialiseParams(l.params)}`;

export const isInnerList = (m: Member): m is InnerList => 'list' in m;
