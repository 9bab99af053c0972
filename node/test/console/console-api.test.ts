import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditCodeCheckChar } from '../../../prefix-registry/src/index.ts';
import { basicAuth, putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/** The APIs the console uses, as a script would call them: session, stats, applications, audit, listing. */

const first17 = '91350100M000100Y4';
const CREDIT_CODE = `${first17}${creditCodeCheckChar(first17)}`;

let node: TestNode;
/** The enterprise prefix 88.100.5, applied for and approved through the registry API like any other. */
let entSecret: string;
let entAuth: string;
beforeAll(async () => {
  // One homed prefix: the decision routes refuse on a node homing several (a known defect, see the report).
  node = await startTestNode(['88.100'], { audit: true });
  const applied = await call('POST', '/api/admin/prefix-applications', {
    companyName: 'Enterprise 5',
    creditCode: CREDIT_CODE,
    contact: { name: 'Han Mei', email: 'han@example.com' },
    requestedPrefix: '88.100.5',
  });
  const approved = await call(
    'POST',
    `/api/admin/prefix-applications/${String(applied.body['id'])}/approve`,
    {},
    {
      authorization: node.adminAuth('88.100'),
    },
  );
  entSecret = (approved.body['admin'] as { secret: string }).secret;
  entAuth = basicAuth('300:88.100.5/ADMIN', entSecret);
});
afterAll(() => node.close());

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const res = await fetch(`${node.url}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    headers: res.headers,
  };
}

async function signIn(
  user: string,
  secret = entSecret,
): Promise<{ cookie: string; csrf: string; body: Answer['body'] }> {
  const res = await call('POST', '/api/session', { user, secret });
  expect(res.status).toBe(201);
  const set = res.headers.get('set-cookie') ?? '';
  return { cookie: set.split(';')[0]!, csrf: String(res.body['csrfToken']), body: res.body };
}

describe('console session', () => {
  it('signs in with the admin handle and secret: an HttpOnly, SameSite=Strict cookie limited to /api', async () => {
    const res = await call('POST', '/api/session', { user: '300:88.100.5/ADMIN', secret: entSecret });
    expect(res.status).toBe(201);
    const set = res.headers.get('set-cookie') ?? '';
    expect(set).toMatch(/^idnode_session=idn1\./);
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).toMatch(/Path=\/api/);
    expect(set).toMatch(/Max-Age=1800/);
    expect(set).not.toMatch(/Secure/); // plain HTTP here; Secure over HTTPS
    expect(res.body).toMatchObject({ user: '300:88.100.5/ADMIN' });
    // The body names the rights, never the token.
    expect(JSON.stringify(res.body)).not.toContain('idn1.');
    expect(res.body['prefixes']).toContainEqual({
      prefix: '88.100.5',
      review: true,
      register: true,
      list: true,
      audit: true,
    });
  });

  it('marks the cookie Secure when the node is reached over HTTPS (IDNODE_PUBLIC_URL https)', async () => {
    const tls = await startTestNode(['88.100'], {
      passport: { publicUrl: 'https://id.example.com', gs1Prefix: undefined },
    });
    try {
      const res = await fetch(`${tls.url}/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: '300:88.100/ADMIN', secret: tls.secret }),
      });
      expect(res.headers.get('set-cookie')).toMatch(/; Secure/);
    } finally {
      await tls.close();
    }
  });

  it('sends the console no Basic challenge (the browser would open its own dialog); scripts still get it', async () => {
    const fromConsole = await call('GET', '/api/admin/prefix-applications', undefined, { 'x-idnode-console': '1' });
    expect(fromConsole.status).toBe(401);
    expect(fromConsole.headers.get('www-authenticate')).toBeNull();
    const fromScript = await call('GET', '/api/admin/prefix-applications');
    expect(fromScript.headers.get('www-authenticate')).toMatch(/^Basic/);
  });

  it('refuses a wrong secret as Basic would (401) and sets no cookie', async () => {
    const res = await call('POST', '/api/session', { user: '300:88.100.5/ADMIN', secret: 'wrong-secret-000' });
    expect(res.status).toBe(401);
    expect(res.body['code']).toBe('IDN_ERR_AUTH_FAILED');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('the cookie is the same identity as Basic: it writes, and reads restricted values', async () => {
    const { cookie, csrf } = await signIn('300:88.100.5/ADMIN');
    const put = await call(
      'PUT',
      '/api/handles/88.100.5/SESSION-1',
      { values: [urlValue(1, 'https://p.example/1'), { ...urlValue(2, 'https://p.example/2'), access: 'authority' }] },
      { cookie, 'x-idnode-csrf': csrf, origin: node.url },
    );
    expect(put.status).toBe(201);
    const asAdmin = await call('GET', '/api/handles/88.100.5/SESSION-1', undefined, { cookie });
    expect((asAdmin.body['values'] as unknown[]).length).toBeGreaterThanOrEqual(2);
    const anonymous = await call('GET', '/api/handles/88.100.5/SESSION-1');
    expect((anonymous.body['values'] as { index: number }[]).map((v) => v.index)).not.toContain(2);
  });

  it('refuses a cookie write without the CSRF token, with a wrong one, or from another origin', async () => {
    const { cookie, csrf } = await signIn('300:88.100.5/ADMIN');
    const body = { values: [urlValue(1, 'https://p.example/x')] };
    const without = await call('PUT', '/api/handles/88.100.5/CSRF-1', body, { cookie });
    expect(without.status).toBe(403);
    expect(without.body['code']).toBe('IDN_ERR_CSRF_CHECK');
    const wrong = await call('PUT', '/api/handles/88.100.5/CSRF-1', body, { cookie, 'x-idnode-csrf': `${csrf}x` });
    expect(wrong.status).toBe(403);
    const foreign = await call('PUT', '/api/handles/88.100.5/CSRF-1', body, {
      cookie,
      'x-idnode-csrf': csrf,
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
    expect(String(foreign.body['message'])).toContain('https://evil.example');
    // Nothing was written by the refused attempts.
    expect((await call('GET', '/api/handles/88.100.5/CSRF-1')).status).toBe(404);
    // A cross-site sign-in is refused too (login CSRF).
    const login = await call(
      'POST',
      '/api/session',
      { user: '300:88.100.5/ADMIN', secret: entSecret },
      { origin: 'https://evil.example' },
    );
    expect(login.status).toBe(403);
  });

  it('GET /api/session says who is signed in; DELETE clears the cookie; a forged cookie is anonymous', async () => {
    const { cookie, csrf } = await signIn('88.100/ADMIN', node.secret);
    const who = await call('GET', '/api/session', undefined, { cookie });
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({ user: '300:88.100/ADMIN', csrfToken: csrf });
    const out = await call('DELETE', '/api/session', undefined, { cookie, 'x-idnode-csrf': csrf });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/idnode_session=;.*Expires=Thu, 01 Jan 1970/);
    const forged = await call('GET', '/api/session', undefined, { cookie: 'idnode_session=idn1.e30.forged' });
    expect(forged.status).toBe(401);
  });
});

describe('GET /api/stats', () => {
  it('reports resolutions of the window from the /metrics registry: rate, percentiles per prefix and source, errors by code', async () => {
    await putRecord(node.url, '88.100.5/STATS-1', [urlValue(1, 'https://p.example/s')], entAuth);
    await call('GET', '/api/stats?window=1');
    for (let i = 0; i < 20; i++) await fetch(`${node.url}/api/handles/88.100.5/STATS-1`);
    await fetch(`${node.url}/api/handles/88.100.5/NO-SUCH-THING`);
    // /api/stats reuses a registry reading younger than 1 s (stats-sampler.ts: a public route must
    // not copy the registry per request), so the reading that shows these 21 is taken after that.
    await new Promise((r) => setTimeout(r, 1_100));
    const stats = await call('GET', '/api/stats?window=60');
    expect(stats.status).toBe(200);
    const resolution = stats.body['resolution'] as Record<string, unknown>;
    expect(resolution['count']).toBeGreaterThanOrEqual(21);
    expect(resolution['p99']).toBeGreaterThan(0);
    const byPrefix = resolution['byPrefix'] as Record<string, { count: number }>;
    expect(byPrefix['88.100.5']?.count).toBeGreaterThanOrEqual(21);
    const bySource = resolution['bySource'] as Record<string, { count: number }>;
    expect(bySource['cache']?.count).toBeGreaterThanOrEqual(19);
    const errors = stats.body['errors'] as { byCode: { code: string; count: number }[] };
    expect(errors.byCode).toContainEqual(expect.objectContaining({ code: 'IDN_ERR_NOT_FOUND' }));
    const cache = stats.body['cache'] as { hitRate: number };
    expect(cache.hitRate).toBeGreaterThan(0.5);
    expect(stats.body['health']).toMatchObject({ ready: true, checks: [{ check: 'store', ok: true }] });
    expect(stats.body['node']).toMatchObject({ role: 'standalone', store: 'lmdb' });
    // The same count as /metrics shows for the prefix (one registry, not a second set of counters).
    const text = await (await fetch(`${node.url}/metrics`)).text();
    const counted = text
      .split('\n')
      .filter((l) => l.startsWith('idnode_resolve_duration_seconds_count{') && l.includes('prefix="88.100.5"'))
      .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(counted).toBeGreaterThanOrEqual(byPrefix['88.100.5']!.count);
  });
});

describe('GET /api/admin/prefix-applications', () => {
  it('lists by status for the reviewer only, paged', async () => {
    const ids: string[] = [];
    for (const n of [61, 62, 63]) {
      const a = await call('POST', '/api/admin/prefix-applications', {
        companyName: `Battery works ${n}`,
        creditCode: CREDIT_CODE,
        contact: { name: 'Li Lei', email: 'li@example.com' },
        requestedPrefix: `88.100.${n}`,
        parentPrefix: '88.100',
      });
      expect(a.status).toBe(201);
      ids.push(String(a.body['id']));
    }
    const reviewer = { authorization: node.adminAuth('88.100') };
    const rejected = await call(
      'POST',
      `/api/admin/prefix-applications/${ids[2]}/reject`,
      { reason: 'no documents' },
      reviewer,
    );
    expect(rejected.body).toMatchObject({ status: 'rejected' });

    expect((await call('GET', '/api/admin/prefix-applications')).status).toBe(401);
    const pending = await call('GET', '/api/admin/prefix-applications?status=pending', undefined, reviewer);
    const list = pending.body['applications'] as { id: string; companyName: string }[];
    expect(list.map((a) => a.id)).toEqual([ids[0], ids[1]]);
    expect(list[0]!.companyName).toBe('Battery works 61');

    const paged = await call('GET', '/api/admin/prefix-applications?status=pending&pageSize=1', undefined, reviewer);
    expect((paged.body['applications'] as unknown[]).length).toBe(1);
    const next = String(paged.body['next']);
    const second = await call(
      'GET',
      `/api/admin/prefix-applications?status=pending&pageSize=1&cursor=${encodeURIComponent(next)}`,
      undefined,
      reviewer,
    );
    expect((second.body['applications'] as { id: string }[]).map((a) => a.id)).toEqual([ids[1]]);

    const rej = await call('GET', '/api/admin/prefix-applications?status=rejected', undefined, reviewer);
    expect(rej.body['applications']).toEqual([expect.objectContaining({ id: ids[2], reason: 'no documents' })]);

    // The enterprise admin of 88.100.5 is no reviewer of 88.100: it sees none of them.
    const enterprise = await call('GET', '/api/admin/prefix-applications?status=all', undefined, {
      authorization: entAuth,
    });
    expect(enterprise.body['applications']).toEqual([]);
  });
});

describe('GET /api/admin/prefixes/{prefix}/audit/reads', () => {
  it("shows the non-public reads of the admin's own identifiers, newest first, and nobody else's", async () => {
    const auth = entAuth;
    await putRecord(
      node.url,
      '88.100.5/AUDIT-1',
      [
        urlValue(1, 'https://p.example/a'),
        { ...urlValue(2, 'https://p.example/secret'), access: 'legitimate-interest' },
      ],
      auth,
    );
    await putRecord(
      node.url,
      '88.100/OTHER-1',
      [{ ...urlValue(1, 'https://p.example/o'), access: 'authority' }],
      node.adminAuth('88.100'),
    );
    await fetch(`${node.url}/api/handles/88.100.5/AUDIT-1`, { headers: { authorization: auth } });
    await fetch(`${node.url}/api/handles/88.100/OTHER-1`, { headers: { authorization: node.adminAuth('88.100') } });
    await fetch(`${node.url}/api/handles/88.100.5/AUDIT-1?index=2`, { headers: { authorization: auth } });

    const res = await call('GET', '/api/admin/prefixes/88.100.5/audit/reads?limit=50', undefined, {
      authorization: auth,
    });
    expect(res.status).toBe(200);
    const entries = res.body['entries'] as { identifier: string; values: { index: number }[]; time: string }[];
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.every((e) => e.identifier.startsWith('88.100.5/'))).toBe(true);
    expect(entries[0]!.values).toEqual([expect.objectContaining({ index: 2, access: 'legitimate-interest' })]);
    expect(entries[0]!.time >= entries[1]!.time).toBe(true);

    const onePage = await call('GET', '/api/admin/prefixes/88.100.5/audit/reads?limit=1', undefined, {
      authorization: auth,
    });
    const before = Number(onePage.body['next']);
    const older = await call('GET', `/api/admin/prefixes/88.100.5/audit/reads?limit=1&before=${before}`, undefined, {
      authorization: auth,
    });
    expect((older.body['entries'] as unknown[]).length).toBe(1);
    expect(older.body['entries']).not.toEqual(onePage.body['entries']);

    // Another enterprise's admin may not read this audit.
    const other = await call('GET', '/api/admin/prefixes/88.100.5/audit/reads', undefined, {
      authorization: node.adminAuth('88.100'),
    });
    expect(other.status).toBe(403);
  });
});

describe('GET /api/handles?prefix=&startsWith=', () => {
  it('lists only the suffixes that begin with the text, case-insensitively', async () => {
    const auth = entAuth;
    for (const s of ['CELL-1', 'CELL-2', 'PACK-1']) {
      await putRecord(node.url, `88.100.5/${s}`, [urlValue(1, `https://p.example/${s}`)], auth);
    }
    const res = await call('GET', '/api/handles?prefix=88.100.5&startsWith=cell-', undefined, { authorization: auth });
    expect(res.body['handles']).toEqual(['88.100.5/CELL-1', '88.100.5/CELL-2']);
    const bad = await call('GET', '/api/handles?prefix=88.100.5&startsWith=a%20b', undefined, { authorization: auth });
    expect(bad.status).toBe(400);
    expect(bad.body['code']).toBe('IDN_ERR_WHITESPACE');
  });
});

describe('/console files', () => {
  it('serves the pages with a strict CSP, the two vendored libraries, and nothing else of node_modules', async () => {
    const redirect = await fetch(`${node.url}/console`, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('/console/');
    const index = await fetch(`${node.url}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await index.text()).toContain('js/main.js');
    const uplot = await fetch(`${node.url}/console/vendor/uplot/uPlot.esm.js`);
    expect(uplot.status).toBe(200);
    expect(uplot.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${node.url}/console/vendor/fflate/browser.js`)).status).toBe(200);
    for (const path of [
      '/console/vendor/uplot/uPlot.d.ts',
      '/console/vendor/uplot/../package.json',
      '/console/%2e%2e/src/main.ts',
    ]) {
      expect((await fetch(`${node.url}${path}`)).status).not.toBe(200);
    }
  });

  it('documents the new routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${node.url}/docs/json`)).json()) as { paths: Record<string, unknown> };
    for (const p of [
      '/api/stats',
      '/api/session',
      '/api/admin/nodes',
      '/api/admin/delegations',
      '/api/admin/takeovers',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    expect(Object.keys(doc.paths)).toContain('/api/admin/prefixes/{prefix}/audit/reads');
  });

  it('answers the federation routes off the top-level with the role and empty lists (admin only)', async () => {
    expect((await call('GET', '/api/admin/nodes')).status).toBe(401);
    const nodes = await call('GET', '/api/admin/nodes', undefined, { authorization: node.adminAuth('88.100') });
    expect(nodes.body).toEqual({ role: 'standalone', nodeId: null, heartbeatSeconds: null, nodes: [] });
    const delegations = await call('GET', '/api/admin/delegations', undefined, {
      authorization: node.adminAuth('88.100'),
    });
    expect(delegations.body['delegations']).toEqual([]);
  });
});
