import { afterEach, beforeEach, expect, test } from 'vitest';
import { DelegationRegistry, type DelegateOptions, type NodeRegistration } from '../src/index.ts';
import { naHandleOf } from '#core/authority/homed-prefixes';
import { tempStore, type TempStore } from './helpers.ts';

let t: TempStore;
beforeEach(async () => {
  t = await tempStore(['88']);
});
afterEach(() => t.dispose());

const node = (nodeId: string): NodeRegistration => ({
  nodeId,
  role: 'secondary',
  grpcAddress: `${nodeId}.example:7443`,
  httpAddress: `https://${nodeId}.example`,
  certIdentity: `spiffe://idnode/${nodeId}`,
});

/** Applied as the node's Registry service applies them: the 0.NA record of that prefix only. */
const delegate = (dir: DelegationRegistry, prefix: string, nodeId: string, opts: DelegateOptions) =>
  dir.delegate(prefix, nodeId, opts, t.applyAs(opts.actor, [naHandleOf(prefix)]));

async function directory(): Promise<DelegationRegistry> {
  const dir = await DelegationRegistry.open(t.records.store, { rootPrefix: '88' });
  await dir.registerNode(node('sec-a'), t.applyAs('test'));
  await dir.registerNode(node('sec-b'), t.applyAs('test'));
  return dir;
}

test('delegates once, answers longest-prefix lookups, and refuses re-delegation without transfer', async () => {
  const dir = await directory();
  expect((await delegate(dir, '88.100', 'sec-a', { actor: 'op' })).decision).toBe('granted');
  expect((await delegate(dir, '88.100.7', 'sec-b', { actor: 'op' })).decision).toBe('granted');
  expect((await delegate(dir, '88.100', 'sec-a', { actor: 'op' })).decision).toBe('already-granted');
  await expect(delegate(dir, '88.100', 'sec-b', { actor: 'op' })).rejects.toMatchObject({
    code: 'IDN_ERR_PREFIX_TAKEN',
  });
  await expect(delegate(dir, '88', 'sec-a', { actor: 'op' })).rejects.toMatchObject({
    code: 'IDN_ERR_PREFIX_NOT_DELEGABLE',
  });
  await expect(delegate(dir, '86.1', 'sec-a', { actor: 'op' })).rejects.toMatchObject({
    code: 'IDN_ERR_PREFIX_NOT_DELEGABLE',
  });
  await expect(delegate(dir, '88.200', 'nobody', { actor: 'op' })).rejects.toMatchObject({
    code: 'IDN_ERR_NODE_NOT_FOUND',
  });

  expect(dir.lookup('88.100.5.2')?.nodeId).toBe('sec-a');
  expect(dir.lookup('88.100.7.1')?.nodeId).toBe('sec-b');
  expect(dir.lookup('88.100')?.site).toMatchObject({
    nodeId: 'sec-a',
    grpcAddress: 'sec-a.example:7443',
    primary: true,
  });
  expect(dir.lookup('88.1000')).toBeUndefined();
  expect(dir.lookup('88.200.1')).toBeUndefined();

  const moved = await delegate(dir, '88.100', 'sec-b', { actor: 'op', transfer: true });
  expect(moved.delegation).toMatchObject({ nodeId: 'sec-b', version: 2 });
  expect(dir.lookup('88.100.5')?.nodeId).toBe('sec-b');
});

test('delegations are 0.NA records with HS_SITE and survive a restart', async () => {
  const dir = await directory();
  for (let i = 1; i <= 2000; i++) await delegate(dir, `88.${i}`, i % 2 ? 'sec-a' : 'sec-b', { actor: 'op' });
  const rec = await t.store.get('0.na/88.17');
  expect(rec?.values.find((v) => v.type === 'HS_SITE')).toMatchObject({
    access: 'public',
    data: { format: 'site', value: { nodeId: 'sec-a' } },
  });

  await t.reopen();
  const again = await DelegationRegistry.open(t.records.store, { rootPrefix: '88' });
  expect(again.size).toBe(2000);
  expect(again.lookup('88.17.3.4')?.site.grpcAddress).toBe('sec-a.example:7443');
  expect(again.lookup('88.1999')?.nodeId).toBe('sec-a');
  expect(again.lookup('88.2000.1')?.nodeId).toBe('sec-b');
  const started = performance.now();
  for (let i = 0; i < 100_000; i++) again.lookup(`88.${(i % 2000) + 1}.5.${i}`);
  expect(performance.now() - started).toBeLessThan(2000);

  const page = await again.list({ under: '88', limit: 10 });
  expect(page.delegations).toHaveLength(10);
  const next = await again.list({ under: '88', limit: 10, after: page.next });
  expect(next.delegations[0]?.prefix).not.toBe(page.delegations[0]?.prefix);
});

test('an idempotent delegation retry returns the first decision; another body conflicts', async () => {
  const dir = await directory();
  const first = await delegate(dir, '88.300', 'sec-a', { actor: 'op', idempotencyKey: 'k1' });
  const retry = await delegate(dir, '88.300', 'sec-a', { actor: 'op', idempotencyKey: 'k1' });
  expect(retry).toEqual(first);
  await expect(delegate(dir, '88.301', 'sec-a', { actor: 'op', idempotencyKey: 'k1' })).rejects.toMatchObject({
    code: 'IDN_ERR_IDEMPOTENCY_CONFLICT',
  });
});
