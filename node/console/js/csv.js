/**
 * Import lines -> batch items, with the rules of the CLI's importer (node/src/cli/import/records.ts):
 * CSV with a header `suffix,url[,TYPE...]` (url -> value 1 of type URL, each further column a
 * string value of that column's type at index 2, 3, ...; RFC 4180 quotes, no field spanning
 * lines), or NDJSON `{"suffix", "values"}` / `{"handle", "values"}`.
 */

/** RFC 4180 fields of one line; undefined for an unterminated quote. */
export function csvFields(line) {
  const out = [];
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

/** The CSV header's value types, or an error message. */
export function csvHeader(line) {
  const cols = csvFields(line)?.map((c) => c.trim());
  if (cols === undefined || cols[0]?.toLowerCase() !== 'suffix' || cols[1]?.toLowerCase() !== 'url') {
    return { error: 'The CSV header must start with suffix,url (further columns: value types, e.g. EMAIL).' };
  }
  const types = cols.slice(2);
  const bad = types.find((t) => !/^[A-Za-z0-9_.-]{1,64}$/.test(t));
  return bad === undefined ? { types } : { error: `CSV column "${bad}" is not a value type name.` };
}

const fail = (code, message) => ({ error: { code, message } });

export function csvItem(line, types) {
  const f = csvFields(line);
  if (f === undefined) return fail('CONSOLE_BAD_CSV', 'Unterminated quoted field (fields may not span lines).');
  if (f.length !== types.length + 2)
    return fail('CONSOLE_BAD_CSV', `Expected ${types.length + 2} fields, found ${f.length}.`);
  const [suffix, url, ...rest] = f;
  if (suffix === '') return fail('CONSOLE_BAD_CSV', 'The suffix is empty.');
  const values = url === '' ? [] : [{ index: 1, type: 'URL', data: { format: 'string', value: url } }];
  rest.forEach(
    (v, i) => v !== '' && values.push({ index: i + 2, type: types[i], data: { format: 'string', value: v } }),
  );
  return { item: { suffix, values } };
}

export function ndjsonItem(line, prefix) {
  let o;
  try {
    o = JSON.parse(line);
  } catch {
    return fail('CONSOLE_BAD_JSON', 'The line is not valid JSON.');
  }
  if (typeof o !== 'object' || o === null || !Array.isArray(o.values)) {
    return fail('CONSOLE_BAD_RECORD', 'Each line needs "values": [...] and "suffix" or "handle".');
  }
  if (typeof o.suffix === 'string') return { item: { suffix: o.suffix, values: o.values } };
  if (typeof o.handle !== 'string' || o.handle.indexOf('/') <= 0)
    return fail('CONSOLE_BAD_RECORD', 'The line has neither "suffix" nor "handle" (prefix/suffix).');
  const slash = o.handle.indexOf('/');
  if (o.handle.slice(0, slash).toLowerCase() !== prefix.toLowerCase()) {
    return fail('CONSOLE_PREFIX_MISMATCH', `${o.handle} is not under the import's prefix ${prefix}.`);
  }
  return { item: { suffix: o.handle.slice(slash + 1), values: o.values } };
}

/**
 * Every non-empty line of a file as { line (1-based), item } or { line, error }; the CSV header
 * is line 1 and yields nothing. A bad header fails the whole file.
 */
export function parseImport(text, name, prefix) {
  const lines = text.split(/\r?\n/);
  const csv = /\.csv$/i.test(name);
  if (!csv && !/\.(ndjson|jsonl)$/i.test(name)) {
    return { fatal: `${name}: use a .csv or .ndjson (.jsonl) file; the extension says how the lines are read.` };
  }
  const out = [];
  let types;
  let fatal;
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    if (csv && types === undefined) {
      const head = csvHeader(raw);
      types = head.types ?? null;
      if (head.error) fatal = head.error;
      return;
    }
    if (types === null) return;
    out.push({ line: i + 1, ...(csv ? csvItem(raw, types) : ndjsonItem(raw, prefix)) });
  });
  return fatal ? { fatal } : { lines: out };
}
