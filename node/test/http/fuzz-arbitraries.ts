import fc from 'fast-check';

/**
 * The generators of the HTTP fuzzers (the bounded run in fuzz.test.ts and the long `npm run fuzz`):
 * paths with raw bytes and broken %-escapes, unicode, long inputs, random queries, Authorization
 * headers, record bodies. One copy, so both fuzzers grow together.
 */

// ---------- paths ----------

const hexDigit = fc.constantFrom(...'0123456789abcdefABCDEF');
export const escape = fc.oneof(
  fc.tuple(hexDigit, hexDigit).map(([a, b]) => `%${a}${b}`),
  fc.constantFrom('%', '%2', '%zz', '%g0', '%%', '%25', '%2525', '%252F', '%C3', '%E7%94', '%ED%A0%80', '%C0%AF'),
  fc.constantFrom('%00', '%0A', '%20', '%2F', '%2E', '%2E%2E', '%3F', '%23', '%E2%80%AE', '%EF%BB%BF', '%EF%BC%98'),
);
// Characters a request target may carry unencoded, plus "?" and "#" that end the path early.
const plain = fc.constantFrom(..."aZ09-._~/!$&'()*+,;=:@?#".split(''));
const encodeUtf8 = (s: string): string =>
  [...Buffer.from(s, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
export const unicode = fc.string({ unit: 'grapheme', maxLength: 6 }).map(encodeUtf8);
const rawByte = fc.integer({ min: 0x21, max: 0xff }).map((b) => String.fromCharCode(b));
// (fc.stringMatching and fc.webUrl are avoided: they cost more per sample than a request does.)
export const word = (chars: string, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...chars), minLength: 1, maxLength });
const ALNUM = 'ABCXYZabcxyz0123456789-';
const piece = fc.oneof(
  { weight: 60, arbitrary: word(ALNUM, 12) },
  { weight: 40, arbitrary: plain },
  { weight: 30, arbitrary: escape },
  { weight: 20, arbitrary: unicode },
  // Raw bytes over 0x7E make the HTTP parser refuse the request and close the connection: keep them rare.
  { weight: 1, arbitrary: rawByte },
);
export const junk = fc.array(piece, { maxLength: 16 }).map((p) => p.join(''));
export const long = fc
  .tuple(fc.integer({ min: 200, max: 6000 }), fc.constantFrom('A', '%41', '/', '.', '%E7%94%B5', '9'))
  .map(([n, s]) => s.repeat(Math.ceil(n / s.length)));
export const prefix = fc.constantFrom('88.100.5', '88.100.6', '0.NA', '88', '99.1', '88.100.5.1', '');
export const suffix = fc.oneof(fc.constantFrom('FUZZ-1', 'fuzz-2', 'ADMIN', 'NO-SUCH', 'Bat-1', '88.100.5'), junk);
export const identifier = fc.oneof(
  { weight: 5, arbitrary: fc.tuple(prefix, suffix).map(([p, s]) => `${p}/${s}`) },
  { weight: 3, arbitrary: junk },
  { weight: 1, arbitrary: long },
);

// ---------- queries ----------

const queryKey = fc.oneof(
  fc.constantFrom('index', 'type', 'publicOnly', 'auth', 'overwrite', 'noredirect', 'prefix', 'pageSize', 'cursor'),
  junk,
);
const queryValue = fc.oneof(
  fc.integer({ min: -3, max: 400 }).map(String),
  fc.constantFrom('', 'true', 'false', '1', '0', 'URL', 'URL.', 'HS_ADMIN', '88.100.5', '2147483648', '1e3', 'abc'),
  junk,
);
export const query = fc.option(
  fc
    .array(fc.tuple(queryKey, fc.option(queryValue, { nil: undefined })), { maxLength: 5 })
    .map((pairs) => `?${pairs.map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).join('&')}`),
  { nil: '' },
);

// ---------- headers ----------

export const headerText = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  maxLength: 60,
});
export const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
/**
 * Most Authorization headers are junk; a few are `real` ones (valid credentials of the node under
 * test); very few cost a key check (scrypt, ~50 ms).
 */
export const authorization = (real: readonly string[]): fc.Arbitrary<string | undefined> =>
  fc.oneof(
    { weight: 6000, arbitrary: fc.constant(undefined) },
    { weight: 1000, arbitrary: fc.constantFrom(...real) },
    { weight: 800, arbitrary: headerText },
    { weight: 600, arbitrary: headerText.map((s) => `Basic ${b64(s)}`) },
    { weight: 600, arbitrary: headerText.map((s) => `Bearer ${s}`) },
    {
      weight: 400,
      arbitrary: fc.constantFrom('Basic', 'Basic ', 'Bearer', 'Basic ===', 'Negotiate abc', 'Basic OjA='),
    },
    { weight: 300, arbitrary: fc.tuple(junk, headerText).map(([u, p]) => `Basic ${b64(`${u}:${p}`)}`) },
    { weight: 2, arbitrary: headerText.map((s) => `Basic ${b64(`300:88.100.5/ADMIN:${s}`)}`) },
  );
export const accept = fc.constantFrom(
  undefined,
  'application/json',
  'text/html',
  '*/*',
  'text/html,application/json',
  'image/png',
);
export const etagHeader = fc.option(fc.oneof(fc.constantFrom('"1"', '"2-p"', 'W/"3"', '*', '"x"', ''), headerText), {
  nil: undefined,
});
export const contentType = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  { weight: 2, arbitrary: fc.constantFrom('application/json; charset=utf-8', 'text/plain', 'application/xml', '') },
  { weight: 1, arbitrary: headerText },
);

// ---------- bodies ----------

export const url = fc
  .tuple(
    fc.constantFrom('https://', 'http://', 'ftp://', 'javascript:', 'data:', '//', ''),
    word('abcxyz0189.-', 20),
    junk,
  )
  .map(([scheme, host, path]) => `${scheme}${host}/${path}`);
export const anyText = fc.oneof(
  fc.string({ maxLength: 30 }),
  url,
  fc.constantFrom('javascript:alert(1)', 'data:,x', 'a@b.c', 'batch'),
);
const data = fc.oneof(
  anyText,
  fc.record({
    format: fc.constantFrom('string', 'admin', 'redacted', 'json', 'hex', ''),
    value: fc.oneof(anyText, fc.jsonValue({ maxDepth: 2 })),
  }),
  fc.record({
    format: fc.constant('admin'),
    value: fc.record({
      handle: fc.oneof(fc.constantFrom('88.100.5/ADMIN', '88.100.6/ADMIN'), junk),
      index: fc.integer({ min: -1, max: 400 }),
      permissions: fc.constantFrom('111111111111', '000000000000', '0101', 'x'),
    }),
  }),
);
export const value = fc.record(
  {
    index: fc.oneof(fc.integer({ min: -2, max: 420 }), fc.constantFrom(1, 2, 100, 300, 2_147_483_648, 1.5)),
    type: fc.oneof(
      fc.constantFrom('URL', 'EMAIL', 'KIND', 'HS_ADMIN', 'hs_admin', 'HS_SECKEY', 'DESC', 'URL.ALT', ''),
      junk,
    ),
    data,
    ttl: fc.integer({ min: -1, max: 100_000 }),
    access: fc.constantFrom('public', 'legitimate-interest', 'authority', 'everyone'),
  },
  { requiredKeys: ['index', 'type', 'data'] },
);
const OVERSIZED = JSON.stringify({ values: [{ index: 1, type: 'DESC', data: 'x'.repeat(300 * 1024) }] });
export const body = fc.oneof(
  { weight: 100, arbitrary: fc.array(value, { maxLength: 5 }).map((values) => JSON.stringify({ values })) },
  { weight: 60, arbitrary: fc.json({ maxDepth: 3 }) },
  { weight: 40, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant(OVERSIZED) },
);
