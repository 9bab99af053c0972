import { afterEach, beforeEach, expect, test } from 'vitest';
import { matchStoredSecret } from '../../node/src/auth/seal/stored-secret.ts';
import { EnterprisePrefixRegistry, type ApplicationInput, type Decision } from '../src/index.ts';
import { homePrefix, prefixHandles, tempStore, type TempStore } from './helpers.ts';

let t: TempStore;
let reg: EnterprisePrefixRegistry;
beforeEach(async () => {
  t = await tempStore(['88.100']);
  await homePrefix(t.store, '88.100');
  reg = new EnterprisePrefixRegistry(t.records.store, { industryPrefix: '88.100', counters: t.records });
});

/** Applied as the node's routes apply them: the registry for the applicant or reviewer, nothing more. */
const apply = (i: ApplicationInput) => reg.apply(i, t.applyAs('applicant'));
const approve = async (id: string, d: Decision) =>
  reg.approve(id, d, t.applyAs(d.reviewer, prefixHandles((await reg.get(id)).prefix)));
const reject = (id: string, d: Decision) => reg.reject(id, d, t.applyAs(d.reviewer));
afterEach(() => t.dispose());

const input = (key: string, extra: Partial<ApplicationInput> = {}): ApplicationInput => ({
  companyName: '华为技术有限公司',
  creditCode: '914403001922038216',
  contact: { name: '张三', email: 'id-admin@example.com' },
  idempotencyKey: key,
  ...extra,
});

async function secretOf(prefix: string) {
  const rec = await t.store.get(`${prefix}/admin`);
  return rec?.values.find((v) => v.type === 'HS_SECKEY')?.data;
}

test('apply -> approve creates 0.NA and ADMIN records; the one-time secret verifies', async () => {
  const app = await apply(input('a1', { requestedPrefix: '88.100.5' }));
  expect(app).toMatchObject({ status: 'pending', prefix: '88.100.5', parentPrefix: '88.100' });
  expect(await t.store.get('0.na/88.100.5')).toBeUndefined();

  const approval = await approve(app.id, {
    reviewer: 'auditor-1',
    reason: '营业执照核验通过',
    idempotencyKey: 'd1',
  });
  expect(approval).toMatchObject({ prefix: '88.100.5', adminHandle: '88.100.5/ADMIN', adminIndex: 300 });
  expect(approval.application.status).toBe('approved');
  const na = await t.store.get('0.na/88.100.5');
  expect(na?.values.find((v) => v.type === 'HS_ADMIN')?.data.value).toMatchObject({
    handle: '88.100.5/ADMIN',
    index: 300,
  });
  const stored = await secretOf('88.100.5');
  // Sealed through RecordService (ADR 0002), never in the clear.
  expect(stored?.format).toBe('sealed');
  expect(JSON.stringify(stored).includes(approval.secret!)).toBe(false);
  expect(await matchStoredSecret(t.records.keyring, stored, approval.secret!)).toBe('sealed');
  expect(await matchStoredSecret(t.records.keyring, stored, 'wrong')).toBe(false);

  // A retried approval (same key) replays the result but never the secret, and re-keys nothing.
  const replay = await approve(app.id, { reviewer: 'auditor-1', reason: '营业执照核验通过', idempotencyKey: 'd1' });
  expect(replay.secret).toBeUndefined();
  expect(replay.application).toEqual(approval.application);
  expect(await matchStoredSecret(t.records.keyring, await secretOf('88.100.5'), approval.secret!)).toBe('sealed');
  await expect(reject(app.id, { reviewer: 'x', reason: 'late', idempotencyKey: 'd2' })).rejects.toMatchObject({
    code: 'IDN_ERR_APPLICATION_DECIDED',
  });
});

test('reject keeps the prefix free; a taken or pending prefix is refused; next free number skips taken ones', async () => {
  const a = await apply(input('a1', { requestedPrefix: '88.100.1' }));
  await expect(apply(input('a2', { requestedPrefix: '88.100.1' }))).rejects.toMatchObject({
    code: 'IDN_ERR_PREFIX_TAKEN',
  });
  const rejected = await reject(a.id, { reviewer: 'auditor', reason: '信用代码与名称不符', idempotencyKey: 'r1' });
  expect(rejected).toMatchObject({ status: 'rejected', reason: '信用代码与名称不符', reviewer: 'auditor' });
  expect(await t.store.get('0.na/88.100.1')).toBeUndefined();
  await expect(approve(a.id, { reviewer: 'x', idempotencyKey: 'r2' })).rejects.toMatchObject({
    code: 'IDN_ERR_APPLICATION_DECIDED',
  });

  const again = await apply(input('a3', { requestedPrefix: '88.100.1' }));
  await approve(again.id, { reviewer: 'auditor', idempotencyKey: 'r3' });
  // 88.100.1 is now allocated, so the automatic numbering must skip it.
  const auto = await apply(input('a4'));
  expect(auto.prefix).toBe('88.100.2');
  await expect(apply(input('a5', { requestedPrefix: '88.200.1' }))).rejects.toMatchObject({
    code: 'IDN_ERR_PREFIX_NOT_DELEGABLE',
  });
  await expect(apply(input('a6', { requestedPrefix: '88.100.1.2' }))).rejects.toMatchObject({
    code: 'IDN_ERR_PREFIX_NOT_DELEGABLE',
  });
  await expect(apply(input('a7', { creditCode: '914403001922038217' }))).rejects.toMatchObject({
    code: 'IDN_ERR_INVALID_CREDIT_CODE',
  });
  await expect(reg.get('APP-999999')).rejects.toMatchObject({ code: 'IDN_ERR_APPLICATION_NOT_FOUND' });
});

test('sub-prefixes are applied for under an allocated enterprise prefix', async () => {
  const ent = await apply(input('a1', { requestedPrefix: '88.100.5' }));
  await approve(ent.id, { reviewer: 'auditor', idempotencyKey: 'd1' });
  await expect(apply(input('p0', { parentPrefix: '88.100.6' }))).rejects.toMatchObject({
    code: 'IDN_ERR_PREFIX_NOT_FOUND',
  });
  const park = await apply(input('p1', { parentPrefix: '88.100.5' }));
  expect(park.prefix).toBe('88.100.5.1');
  const ok = await approve(park.id, { reviewer: 'auditor', idempotencyKey: 'd2' });
  expect(ok.adminHandle).toBe('88.100.5.1/ADMIN');
});

test('an application retried with the same key is stored once; another body with that key conflicts', async () => {
  const first = await apply(input('same'));
  const retry = await apply(input('same'));
  expect(retry).toEqual(first);
  await expect(apply(input('same', { companyName: '另一家公司' }))).rejects.toMatchObject({
    code: 'IDN_ERR_IDEMPOTENCY_CONFLICT',
  });
});
