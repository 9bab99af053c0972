import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * Which answers carry CORS headers, now that the hook is attached per route (cors.ts): every answer
 * on a resolver path (the QR route, its errors, HEAD, the not-found handler), none on the API, the
 * operator pages and URLs the router cannot decode (answered outside every hook, as before).
 */

let node: TestNode;

/** A raw GET or other method (fetch would refuse a malformed URL before sending it). */
function raw(method: string, path: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  const { hostname, port } = new URL(node.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: hostname, port, method, path, headers: { origin: 'https://app.example' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  node = await startTestNode();
  const put = await putRecord(
    node.url,
    '88.100.5/CORS-1',
    [urlValue(1, 'https://example.com/one')],
    node.adminAuth('88.100.5'),
  );
  expect(put.status).toBeLessThan(300);
});
afterAll(() => node.close());

describe('CORS on resolver paths', () => {
  it.each([
    ['GET', '/88.100.5/CORS-1', 302],
    ['HEAD', '/88.100.5/CORS-1', 302],
    ['GET', '/88.100.5/NONE', 404],
    ['PATCH', '/88.100.5/CORS-1', 404],
    ['GET', '/apix/1', 400],
  ])('%s %s: %i with Access-Control-Allow-Origin', async (method, path, status) => {
    const r = await raw(method, path);
    expect(r.status).toBe(status);
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-expose-headers']).toContain('Location');
  });
});

describe('no CORS on the API, the operator pages and undecodable URLs', () => {
  it.each([
    ['GET', '/api/handles/88.100.5/CORS-1', 200],
    ['GET', '/api/handles/88.100.5/NONE', 404],
    ['GET', '/api/handles/88.100.5/%E0%A4%A', 400],
    // A URL the router cannot decode is answered outside any route and hook (fastify's frameworkErrors).
    ['GET', '/88.100.5/%E0%A4%A', 400],
    ['GET', '/api/nothing', 404],
    ['PATCH', '/api/handles/88.100.5/CORS-1', 405],
    ['GET', '/livez', 200],
    ['GET', '/metrics', 200],
  ])('%s %s: %i without it', async (method, path, status) => {
    const r = await raw(method, path);
    expect(r.status).toBe(status);
    expect(r.headers['access-control-allow-origin']).toBeUndefined();
  });
});
