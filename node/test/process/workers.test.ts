import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connection, send as sendOn, twoWorkers, type Answer } from '../../../loadtest/workers/invalidation.ts';
import { spawnNode, type NodeProcess } from '../helpers/spawn-node.ts';
import { basicAuth } from '../helpers/test-node.ts';

/*
 * IDNODE_WORKERS=2 on one LMDB environment, real processes: a write answered by one worker is seen
 * by a read on a connection held by the other (the cluster relays the key to its cache); the
 * change log stays gap-free and is audited once; /metrics sums both workers; a killed worker is
 * started again.
 */

const SECRET = 'workers-test-secret-0123';
const AUTH = basicAuth('300:88.100.5/ADMIN', SECRET);
const HANDLE = '88.100.5/WORKERS-X';
/** Correctness bound of polling, never a performance claim (a loaded machine must not fail it). */
const BOUND_MS = 10_000;

const send = (node: NodeProcess, agent: Agent, method: string, path: string, body?: string): Promise<Answer> =>
  sendOn(node.port, agent, method, path, body === undefined ? undefined : AUTH, body);

const urlValue = (v: string): string =>
  JSON.stringify({ values: [{ index: 1, type: 'URL', data: { format: 'string', value: v } }] });

async function put(node: NodeProcess, agent: Agent, handle: string, value: string): Promise<Answer> {
  const a = await send(node, agent, 'PUT', `/api/handles/${handle}`, urlValue(value));
  if (a.status !== 200 && a.status !== 201) throw new Error(`PUT ${a.status}: ${a.body}`);
  return a;
}

const valueOf = (a: Answer): string | undefined =>
  (JSON.parse(a.body) as { values?: { data: { value: string } }[] }).values?.[0]?.data.value;

async function workerPids(primary: number): Promise<number[]> {
  const text = await readFile(`/proc/${primary}/task/${primary}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

function sumOf(metrics: string, name: string, labels: string): number {
  let sum = 0;
  for (const line of metrics.split('\n'))
    if (line.startsWith(`${name}{`) && line.includes(labels)) sum += Number(line.split(' ').at(-1));
  return sum;
}

describe('IDNODE_WORKERS=2 on one LMDB store', () => {
  let dir: string;
  let node: NodeProcess;
  let a: Agent;
  let b: Agent;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'idnode-workers-'));
    node = await spawnNode(
      { IDNODE_DATA_DIR: dir, IDNODE_ADMIN_SECRET: SECRET, IDNODE_WORKERS: '2', IDNODE_DRAIN_DELAY_MS: '0' },
      60_000,
    );
    [a, b] = await twoWorkers(node.port);
  }, 90_000);

  afterAll(async () => {
    a?.destroy();
    b?.destroy();
    await node?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a write through one worker is read through the other, never the cached old record', async () => {
    await put(node, a, HANDLE, 'https://example.org/v0');
    // b caches the record (the second read is a cache hit)...
    await expect
      .poll(async () => valueOf(await send(node, b, 'GET', `/api/handles/${HANDLE}`)), { timeout: BOUND_MS })
      .toBe('https://example.org/v0');
    const cached = await send(node, b, 'GET', `/api/handles/${HANDLE}`);
    expect(cached.source).toBe('cache');
    for (let round = 1; round <= 5; round++) {
      const wrote = await put(node, a, HANDLE, `https://example.org/v${round}`);
      // ... and after a write answered by a, b drops it: the new value, from another worker.
      await expect
        .poll(async () => valueOf(await send(node, b, 'GET', `/api/handles/${HANDLE}`)), {
          timeout: BOUND_MS,
          interval: 1,
        })
        .toBe(`https://example.org/v${round}`);
      const read = await send(node, b, 'GET', `/api/handles/${HANDLE}`);
      expect(read.worker).not.toBe(wrote.worker);
    }
  });

  it('/metrics of either worker sums the writes of both', async () => {
    const ok = 'op="create",result="ok"';
    const before = sumOf((await send(node, a, 'GET', '/metrics')).body, 'idnode_registrations_total', ok);
    const writes = [];
    for (let i = 0; i < 10; i++)
      writes.push(put(node, i % 2 === 0 ? a : b, `88.100.5/WORKERS-M${i}`, 'https://example.org/m'));
    await Promise.all(writes);
    for (const agent of [a, b]) {
      const text = (await send(node, agent, 'GET', '/metrics')).body;
      expect(sumOf(text, 'idnode_registrations_total', ok) - before).toBe(10);
    }
  });

  it('concurrent writes through both workers keep the change log gap-free, each change audited once', async () => {
    const writes = [];
    for (let i = 0; i < 40; i++)
      writes.push(put(node, i % 2 === 0 ? a : b, `88.100.5/WORKERS-C${i}`, `https://example.org/c${i}`));
    const answers = await Promise.all(writes);
    expect(new Set(answers.map((x) => x.worker)).size).toBe(2);
    // The change audit follows the shared log from worker 0; its lines reach the file asynchronously.
    const seqs = async (): Promise<number[]> =>
      (await readFile(join(dir, 'audit', 'changes.log'), 'utf8').catch(() => ''))
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { seq: number }).seq);
    await expect
      .poll(async () => (await seqs()).filter((s, i, all) => all.indexOf(s) === i).length, { timeout: BOUND_MS })
      .toBeGreaterThanOrEqual(56);
    const all = await seqs();
    expect(new Set(all).size).toBe(all.length);
    const sorted = [...all].sort((x, y) => x - y);
    expect(sorted).toEqual(Array.from({ length: sorted.length }, (_, i) => sorted[0]! + i));
  });

  it('a killed worker is started again and serves', async () => {
    const before = await workerPids(node.child.pid!);
    expect(before).toHaveLength(2);
    process.kill(before[1]!, 'SIGKILL');
    await expect
      .poll(async () => (await workerPids(node.child.pid!)).filter((p) => !before.includes(p)).length, {
        timeout: 60_000,
        interval: 100,
      })
      .toBe(1);
    // Both slots answer again on fresh connections.
    const seen = new Set<string | undefined>();
    const deadline = Date.now() + 60_000;
    while (seen.size < 2 && Date.now() < deadline) {
      const c = connection();
      seen.add((await send(node, c, 'GET', '/livez').catch(() => ({ worker: undefined }))).worker);
      c.destroy();
      seen.delete(undefined);
    }
    expect([...seen].sort()).toEqual(['0', '1']);
    expect(node.output()).toContain('worker exited; restarting it');
  }, 90_000);

  it('SIGTERM drains every worker and the primary exits 0', async () => {
    const pids = await workerPids(node.child.pid!);
    expect(await node.stop('SIGTERM')).toBe(0);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 60_000);
});
