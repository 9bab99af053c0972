import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, startTopology, waitReady, type Topology } from './topology.ts';

/**
 * The top-level node says when a delegated node goes silent and when it comes back (issue 14):
 * a log line and a counter at the start of a takeover, the counter again at its end. Real
 * processes, heartbeats every second; secondary A is SIGKILLed by PID, then started again.
 */

let topo: Topology;

beforeAll(async () => {
  topo = await startTopology();
}, 90_000);
afterAll(() => topo?.close());

const EVENTS = 'idnode_federation_takeover_events_total';

async function until(cond: () => Promise<boolean>, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('not reached in time');
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('takeover visibility on the top-level node', () => {
  it('logs and counts the start when a secondary is killed, and counts the end when it is back', async () => {
    expect(await metric(topo.top, EVENTS, 'node="secA",event="start"')).toBe(0);
    // The top-level has the sync-lag series every node has (0: it sends nothing upstream).
    const text = await (await fetch(`${topo.top.url}/metrics`)).text();
    expect(text).toMatch(/^idnode_sync_lag_entries 0$/m);
    expect(text).toMatch(/^idnode_sync_lag_seconds 0$/m);
    topo.a.child.kill('SIGKILL');
    await until(async () => (await metric(topo.top, EVENTS, 'node="secA",event="start"')) === 1);
    const line = topo.top
      .output()
      .split('\n')
      .find((l) => l.includes('"event":"takeover-start"'));
    expect(line, topo.top.output()).toBeDefined();
    const logged = JSON.parse(line!) as { log: string; node: string; msg: string };
    expect(logged).toMatchObject({ log: 'federation', node: 'secA' });
    expect(logged.msg).toMatch(/^node secA is silent .*takeover started/);
    expect(await metric(topo.top, EVENTS, 'node="secB",event="start"')).toBe(0);

    const again = await topo.start('secA', {
      IDNODE_ROLE: 'secondary',
      IDNODE_PREFIXES: '88.100,88.100.5',
      IDNODE_UPSTREAM: `127.0.0.1:${topo.top.grpcPort}`,
      IDNODE_TLS_DIR: join(topo.certs, 'secA'),
    });
    await waitReady(again, 30_000);
    await until(async () => (await metric(topo.top, EVENTS, 'node="secA",event="end"')) === 1);
  }, 120_000);
});
