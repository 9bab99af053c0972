import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditCodeCheckChar } from '../../../prefix-registry/src/index.ts';
import { basicAuth, putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

const BASE = '/api/admin/prefix-applications';
const first17 = '91350100M000100Y4';
const CREDIT_CODE = `${first17}${creditCodeCheckChar(first17)}`;

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode(['88.100']);
});
afterAll(() => node.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const application = (requestedPrefix?: string) => ({
  companyName: '示例电池有限公司',
  creditCode: CREDIT_CODE,
  contact: { name: 'Li Lei', email: 'li.lei@example.com' },
  ...(requestedPrefix ? { requestedPrefix } : {}),
});

describe('registry admin API: enterprise prefix applications', () => {
  it('apply -> approve -> the returned credential registers under the new prefix', async () => {
    const applied = await post(BASE, application('88.100.77'), { 'idempotency-key': 'apply-77' });
    expect(applied.status).toBe(201);
    expect(applied.body).toMatchObject({ status: 'pending', prefix: '88.100.77' });
    const id = String(applied.body['id']);

    const anonymous = await fetch(`${node.url}${BASE}/${id}`);
    expect(await anonymous.json()).toEqual({ id, status: 'pending', prefix: '88.100.77' });

    // Approving needs a reviewer: anonymous is 401, the wrong secret 401.
    expect((await post(`${BASE}/${id}/approve`, {})).status).toBe(401);
    expect(
      (await post(`${BASE}/${id}/approve`, {}, { authorization: node.adminAuth('88.100', 'wrong-secret-123') })).status,
    ).toBe(401);

    const approved = await post(
      `${BASE}/${id}/approve`,
      { reason: 'documents checked' },
      { authorization: node.adminAuth('88.100') },
    );
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ id, status: 'approved', prefix: '88.100.77' });
    const admin = approved.body['admin'] as { user: string; secret: string };
    expect(admin.user).toBe('300:88.100.77/ADMIN');
    expect(admin.secret.length).toBeGreaterThanOrEqual(12);

    const auth = basicAuth(admin.user, admin.secret);
    const put = await putRecord(node.url, '88.100.77/BAT-1', [urlValue(1, 'https://passport.example.com/1')], auth);
    expect(put.status).toBe(201);
    // ... but only under its own prefix.
    const foreign = await putRecord(node.url, '88.100/intruder', [urlValue(1, 'https://example.com/')], auth);
    expect(foreign.status).toBe(403);

    const detail = await fetch(`${node.url}${BASE}/${id}`, { headers: { authorization: node.adminAuth('88.100') } });
    expect(await detail.json()).toMatchObject({
      id,
      status: 'approved',
      reviewer: '300:88.100/ADMIN',
      creditCode: CREDIT_CODE,
    });
    // The new enterprise admin is no reviewer of its siblings' applications.
    const other = await post(BASE, application(), { 'idempotency-key': 'apply-other' });
    expect((await post(`${BASE}/${String(other.body['id'])}/approve`, {}, { authorization: auth })).status).toBe(403);
  });

  it('reject needs a reason, frees the prefix, and a decided application stays decided', async () => {
    const applied = await post(BASE, application('88.100.78'), { 'idempotency-key': 'apply-78' });
    const id = String(applied.body['id']);
    const reviewer = { authorization: node.adminAuth('88.100') };
    expect((await post(`${BASE}/${id}/reject`, {}, reviewer)).status).toBe(400);
    const rejected = await post(`${BASE}/${id}/reject`, { reason: 'credit code does not match the company' }, reviewer);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ id, status: 'rejected' });
    const again = await post(`${BASE}/${id}/approve`, {}, reviewer);
    expect(again.status).toBe(409);
    expect(again.body['code']).toBe('IDN_ERR_APPLICATION_DECIDED');
    const reapplied = await post(BASE, application('88.100.78'), { 'idempotency-key': 'apply-78-again' });
    expect(reapplied.status).toBe(201);
  });

  it('refuses a bad credit code and an unknown application with coded errors', async () => {
    const bad = await post(BASE, { ...application(), creditCode: '91350100M000100Y40' });
    expect(bad.status).toBe(400);
    expect(bad.body['code']).toBe('IDN_ERR_INVALID_CREDIT_CODE');
    const missing = await fetch(`${node.url}${BASE}/APP-999999`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { code: string }).code).toBe('IDN_ERR_APPLICATION_NOT_FOUND');
  });
});
