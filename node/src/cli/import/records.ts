/**
 * Input lines -> batch items. NDJSON: `{"suffix": "...", "values": [...]}` or `{"handle":
 * "88.100.5/...", "values": [...]}`. CSV: a header `suffix,url[,TYPE...]`; `url` becomes value 1
 * (type URL), every further column a string value of the column's type at index 2, 3, ... in
 * column order. Quoted fields ("a,b", "say ""hi""") are understood; a field spanning lines is not.
 */

export interface Item {
  readonly suffix: string;
  readonly values: readonly unknown[];
  /** The line as the node should get it, when the input line is already exactly that. */
  readonly line?: string;
}

export type Parsed = { readonly item: Item } | { readonly error: { code: string; message: string } };

const bad = (code: string, message: string): Parsed => ({ error: { code, message } });

export function parseNdjson(text: string, prefix: string | undefined): Parsed {
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return bad('CLI_ERR_BAD_JSON', 'The line is not valid JSON.');
  }
  const r = o as { suffix?: unknown; handle?: unknown; values?: unknown } | null;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.values))
    return bad('CLI_ERR_BAD_RECORD', 'Each line needs "values": [...] and "suffix" or "handle".');
  if (typeof r.suffix === 'string') {
    // A line of just {suffix, values} goes to the node as it is: no second encoding per line.
    const exact = Object.keys(r).length === 2;
    return {
      item: exact ? { suffix: r.suffix, values: r.values, line: text } : { suffix: r.suffix, values: r.values },
    };
  }
  if (typeof r.handle !== 'string') return bad('CLI_ERR_BAD_RECORD', 'The line has neither "suffix" nor "handle".');
  const slash = r.handle.indexOf('/');
  if (slash <= 0) return bad('CLI_ERR_BAD_RECORD', `"${r.handle}" is not prefix/suffix.`);
  const p = r.handle.slice(0, slash);
  if (prefix !== undefined && p.toLowerCase() !== prefix.toLowerCase())
    return bad('CLI_ERR_PREFIX_MISMATCH', `${r.handle} is not under the import's prefix ${prefix}.`);
  return { item: { suffix: r.handle.slice(slash + 1), values: r.values } };
}

/** The prefix named by a line's `handle`, to default --prefix from the first record. */
export function prefixOfNdjson(text: string): string | undefined {
  try {
    const h = (JSON.parse(text) as { handle?: unknown }).handle;
    return typeof h === 'string' && h.includes('/') ? h.slice(0, h.indexOf('/')) : undefined;
  } catch {
    return undefined;
  }
}

/** RFC 4180 fields of one line; undefined for an unterminated quote. */
export function csvFields(line: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) return undefined;
        field += line.slice(i, q);
        if (line[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
    } else {
      const c = line.indexOf(',', i);
      field = line.slice(i, c === -1 ? line.length : c);
      i = c === -1 ? line.length : c;
    }
    out.push(field);
    if (line[i] !== ',') return out;
    i++;
  }
}

export interface CsvHeader {
  readonly types: readonly string[];
}

export function csvHeader(line: string): CsvHeader | { error: string } {
  const cols = csvFields(line)?.map((c) => c.trim());
  if (cols === undefined || cols[0]?.toLowerCase() !== 'suffix' || cols[1]?.toLowerCase() !== 'url')
    return { error: 'the CSV header must start with suffix,url (further columns: value types, e.g. EMAIL).' };
  const types = cols.slice(2);
  const badType = types.find((t) => !/^[A-Za-z0-9_.-]{1,64}$/.test(t));
  if (badType !== undefined) return { error: `CSV column "${badType}" is not a value type name.` };
  return { types };
}

export function parseCsv(text: string, header: CsvHeader): Parsed {
  const f = csvFields(text);
  if (f === undefined) return bad('CLI_ERR_BAD_CSV', 'Unterminated quoted field (fields may not span lines).');
  if (f.length !== header.types.length + 2)
    return bad('CLI_ERR_BAD_CSV', `Expected ${header.types.length + 2} fields, found ${f.length}.`);
  const [suffix, url, ...rest] = f as [string, string, ...string[]];
  if (suffix === '') return bad('CLI_ERR_BAD_CSV', 'The suffix is empty.');
  const values: unknown[] = url === '' ? [] : [{ index: 1, type: 'URL', data: { format: 'string', value: url } }];
  rest.forEach((v, i) => {
    if (v !== '') values.push({ index: i + 2, type: header.types[i], data: { format: 'string', value: v } });
  });
  return { item: { suffix, values } };
}
