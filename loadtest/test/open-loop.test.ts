import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOpenLoop } from '../lib/open-loop.ts';

/** A local server that notes when each request arrived. */
let server: Server;
let url: string;
const arrivals: number[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    arrivals.push(performance.now());
    res.end(req.url === '/missing' ? undefined : 'ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

describe('open-loop generator', () => {
  it('sends at the requested rate, steadily (no per-second bursts)', async () => {
    arrivals.length = 0;
    const rate = 400;
    const m = await runOpenLoop({
      url,
      rps: rate,
      durationS: 1.5,
      maxSockets: 16,
      next: () => ({ method: 'GET', path: '/' }),
      expectStatus: [200],
    });
    expect(m.completed).toBe(600);
    expect(m.errors).toBe(0);
    expect(m.offeredRps).toBe(rate);
    // Arrival span ≈ 1.5 s: the schedule is spread, not front-loaded. Tolerances are wide because
    // the machine is shared: a stalled event loop delays a few windows, then catches up.
    const span = (arrivals[arrivals.length - 1]! - arrivals[0]!) / 1000;
    expect(span).toBeGreaterThan(1.5 * 0.8);
    expect(span).toBeLessThan(1.5 * 1.2);
    // 100 ms windows hold about 40 arrivals each; a once-a-second burst would fill 1 window in 10.
    const t0 = arrivals[0]!;
    const windows = new Array<number>(14).fill(0);
    for (const t of arrivals) {
      const w = Math.floor((t - t0) / 100);
      if (w < windows.length) windows[w]!++;
    }
    expect(windows.filter((w) => w >= 20 && w <= 60).length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...windows)).toBeLessThanOrEqual(120);
  });

  it('counts unexpected statuses and connection failures as errors', async () => {
    const m = await runOpenLoop({
      url,
      rps: 100,
      durationS: 0.2,
      maxSockets: 4,
      next: () => ({ method: 'GET', path: '/' }),
      expectStatus: [404],
    });
    expect(m.errors).toBe(m.completed);
    const dead = await runOpenLoop({
      url: 'http://127.0.0.1:1',
      rps: 50,
      durationS: 0.2,
      maxSockets: 4,
      next: () => ({ method: 'GET', path: '/' }),
      expectStatus: [200],
    });
    expect(dead.completed).toBe(0);
    expect(dead.errors).toBe(10);
  });
});
