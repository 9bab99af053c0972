import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * Issue 13 item 10, BOLA across prefixes: the admin of prefix A, on every route the node has,
 * aimed at prefix B. The route list is read from fastify's own route table, so a route added
 * later is in this test without anyone adding it: reads must not disclose B's non-public value,
 * writes must be refused and leave B's record as it was.
 */

const A = '88.100.5';
const B = '88.100.6';
const MARKER = 'b-only-marker-7f3a';
const TARGET = `${B}/SECRET`;
let node: TestNode;

interface Route {
  readonly method: string;
  readonly path: string;
}

/** fastify's printRoutes tree (`├── segment (GET, HEAD)`, four columns a level) as full paths. */
export function routeTable(tree: string): Route[] {
  const stack: string[] = [];
  const out: Route[] = [];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ');
    if (at < 0) continue;
    const depth = (at - 1) / 4;
    const m = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3));
    const raw = m?.[1] ?? '';
    stack.length = depth;
    // The tree prints `/api/handles/*` as `api/handles` with a child `*`: the slash is implied.
    const implied = raw === '*' && !(stack.at(-1) ?? '/').endsWith('/');
    stack.push(implied ? `/${raw}` : raw);
    for (const method of (m?.[2] ?? '').split(', ').filter((x) => x !== '')) {
      out.push({ method, path: stack.join('') });
    }
  }
  return out;
}

/** Path parameters aimed at B. */
const concrete = (path: string): string =>
  path
    .replace(/\*$/, TARGET)
    .replace(':prefix', B)
    .replace(':id', '1')
    .replace(':gtin', '09506000134352')
    .replace(':segment', TARGET)
    .replace(/^\/api\/handles$/, `/api/handles?prefix=${B}`);

/** Routes that act on the caller itself or on the node as a whole, never on a prefix's records. */
const NOT_PREFIX_SCOPED: Record<string, string> = {
  'POST /api/tokens': "issues a token for the caller's own identity",
  'POST /api/session': "signs the caller in as the caller's own identity",
  'DELETE /api/session': "ends the caller's own console session",
  'POST /api/sessions': 'opens an unauthenticated REST session',
  'PUT /api/sessions/this': "authenticates the caller's own REST session",
  'POST /api/sessions/this': "authenticates the caller's own REST session",
  'DELETE /api/sessions/this': "ends the caller's own REST session",
  'POST /api/admin/prefix-applications': 'anyone may apply for a prefix (the reviewer decides)',
  // By design (admin-cache.ts): node-wide, costs only misses, changes no record of any prefix.
  'POST /api/admin/cache/flush': 'any homed admin may flush the whole cache',
};

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

beforeAll(async () => {
  node = await startTestNode([A, B]);
  const put = await putRecord(
    node.url,
    TARGET,
    [urlValue(1, 'https://b.example/public'), urlValue(2, `https://b.example/${MARKER}`, { access: 'authority' })],
    node.adminAuth(B),
  );
  expect(put.status).toBe(201);
});
afterAll(() => node.close());

async function recordOfB(): Promise<string> {
  const r = await fetch(`${node.url}/api/handles/${TARGET}`, { headers: { authorization: node.adminAuth(B) } });
  return r.text();
}

describe('BOLA: the admin of prefix A on every route, against prefix B', () => {
  it('the route table is read, and B reading its own record sees the marker (the test can see a leak)', async () => {
    const routes = routeTable(node.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(40);
    expect(routes).toContainEqual({ method: 'PUT', path: '/api/handles/*' });
    expect(await recordOfB()).toContain(MARKER);
  });

  it('every route: reads disclose nothing of B, writes are refused and change nothing', async () => {
    const before = await recordOfB();
    const routes = routeTable(node.app.printRoutes({ commonPrefix: false }));
    const auth = node.adminAuth(A);
    const findings: string[] = [];
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      const url = `${node.url}${concrete(r.path)}`;
      const body = WRITES.has(r.method)
        ? JSON.stringify({ values: [urlValue(1, 'https://a.example/took-over')], count: 1 })
        : undefined;
      const headers: Record<string, string> = { authorization: auth };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(url, { method: r.method, headers, redirect: 'manual', ...(body ? { body } : {}) });
      const text = await res.text();
      if (text.includes(MARKER)) findings.push(`${key}: disclosed B's non-public value (${res.status})`);
      if (WRITES.has(r.method) && res.status < 400 && NOT_PREFIX_SCOPED[key] === undefined) {
        findings.push(`${key}: a write as A on B answered ${res.status}`);
      }
      if (res.status >= 500) findings.push(`${key}: ${res.status}`);
    }
    expect(findings).toEqual([]);
    expect(await recordOfB()).toBe(before);
  });
});
