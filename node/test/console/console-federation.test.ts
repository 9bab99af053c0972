import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth, putRecord, SECRET, startTopology, type Topology } from '../federation/topology.ts';
import { launchBrowser, openConsole, shot, signIn } from './browser.ts';

/**
 * The top-level node's console over three real processes (top-level, secondary A and B,
 * heartbeats every second): the registered nodes heartbeat, and when secondary A is killed its
 * takeover appears on the page, as GET /api/admin/takeovers says.
 */

let topo: Topology;
let browser: Browser;

beforeAll(async () => {
  [topo, browser] = await Promise.all([startTopology(), launchBrowser()]);
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await topo?.close();
});

describe('top-level console', () => {
  it('shows the nodes, their sync position, and a takeover when a secondary is killed', async () => {
    expect(await putRecord(topo.a, '88.100.5/FED-1', 'https://passport.example/fed-1')).toBe(201);
    const c = await openConsole(browser, topo.top.url);
    await signIn(c, '300:88/ADMIN', SECRET);
    expect(await c.page.locator('nav a').allTextContents()).toContain('Federation');
    await c.page.goto(`${topo.top.url}/console/#/federation`);
    const node = (id: string) => c.page.locator(`[data-test=nodes] tr[data-node="${id}"]`);
    await expect.poll(() => node('secA').textContent(), { timeout: 20_000 }).toContain('serving');
    expect(await node('secA').textContent()).toContain('88.100');
    expect(await node('secB').textContent()).toContain('88.200');
    expect(await c.page.textContent('[data-test=takeovers]')).toContain('None');
    // The record written on A reaches the top-level: A's applied sync position moves past 0.
    await expect
      .poll(async () => Number((await node('secA').locator('td.num').nth(1).textContent())?.replace(/,/g, '')), {
        timeout: 20_000,
      })
      .toBeGreaterThan(0);
    await shot(c.page, '12-federation-serving');

    topo.a.child.kill('SIGKILL');
    const takeover = c.page.locator('[data-test=takeovers] [data-node="secA"]');
    await takeover.waitFor({ timeout: 30_000 });
    expect(await takeover.textContent()).toContain('88.100');
    expect(await node('secA').locator('[data-test=takeover]').count()).toBe(1);
    expect(await node('secB').textContent()).toContain('serving');
    await shot(c.page, '13-federation-takeover');

    // The page says what the API says.
    const api = (await (
      await fetch(`${topo.top.url}/api/admin/takeovers`, { headers: { authorization: adminAuth('88') } })
    ).json()) as { takeovers: { nodeId: string }[] };
    expect(api.takeovers.map((t) => t.nodeId)).toEqual(['secA']);
    expect(c.errors).toEqual([]);
  }, 90_000);
});
