import fc from 'fast-check';
import { identifier, junk, prefix, suffix, value } from '../../node/test/http/fuzz-arbitraries.ts';
import { method as anyMethod, type RouteDraw } from '../../node/test/http/fuzz-requests.ts';
import type { Route } from './routes.ts';
import { arb as schemaArb } from './schema-arb.ts';

/**
 * Requests per route of the route table: its template filled with generated parameters, its own
 * method (sometimes another), and for writes a body of the route's shape: NDJSON lines for the
 * batch route, the OpenAPI body schema for the others (else the generic bodies of the pool).
 */

const digits = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 16 });

function paramArb(name: string, known: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<string> {
  const seen = known[name] ?? [];
  const own =
    name === '*'
      ? identifier
      : name === 'prefix'
        ? prefix
        : name === 'gtin'
          ? digits
          : name === 'segment'
            ? fc.oneof(suffix, digits)
            : fc.oneof(digits, junk);
  return seen.length === 0
    ? own
    : fc.oneof({ weight: 2, arbitrary: fc.constantFrom(...seen) }, { weight: 3, arbitrary: own });
}

function pathArb(template: string, known: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<string> {
  const parts = template.split(/(\{[^}]*\})/).filter((p) => p !== '');
  return fc
    .tuple(...parts.map((p) => (p.startsWith('{') ? paramArb(p.slice(1, -1), known) : fc.constant(p))))
    .map((xs) => xs.join(''));
}

const ndjsonLine = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ suffix, values: fc.array(value, { maxLength: 3 }) }).map((l) => JSON.stringify(l)),
  },
  { weight: 1, arbitrary: fc.json({ maxDepth: 2 }) },
  { weight: 1, arbitrary: junk },
);
const ndjson = fc
  .array(ndjsonLine, { maxLength: 20 })
  .chain((lines) => fc.constantFrom('\n', '\r\n', '\n\n').map((sep) => lines.join(sep) + sep));

function bodyArb(r: Route): fc.Arbitrary<Pick<RouteDraw, 'body' | 'contentType'>> {
  const none = fc.constant({});
  if (r.template.includes('identifiers:batch'))
    return fc.oneof(
      { weight: 3, arbitrary: ndjson.map((body) => ({ body, contentType: 'application/x-ndjson' })) },
      { weight: 1, arbitrary: none },
    );
  if (r.bodySchema === undefined) return none;
  return fc.oneof(
    {
      weight: 3,
      arbitrary: schemaArb(r.bodySchema).map((b) => ({ body: JSON.stringify(b), contentType: 'application/json' })),
    },
    { weight: 1, arbitrary: none },
  );
}

function drawFor(r: Route, known: Readonly<Record<string, readonly string[]>>): fc.Arbitrary<RouteDraw> {
  const method = fc.oneof({ weight: 7, arbitrary: fc.constant(r.method) }, { weight: 1, arbitrary: anyMethod });
  return fc
    .record({ method, target: pathArb(r.template, known), extra: bodyArb(r) })
    .map(({ method, target, extra }) => ({ route: `${r.method} ${r.template}`, method, target, ...extra }));
}

/** One arbitrary over every route; routes with parameters weigh more (they have more to find). */
export function routeDraws(routes: readonly Route[], known: Readonly<Record<string, readonly string[]>>) {
  return fc.oneof(...routes.map((r) => ({ weight: r.template.includes('{') ? 3 : 1, arbitrary: drawFor(r, known) })));
}
