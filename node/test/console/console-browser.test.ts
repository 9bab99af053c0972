import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import jsqrModule from 'jsqr';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { creditCodeCheckChar } from '../../../prefix-registry/src/index.ts';
import { basicAuth, putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';
import { launchBrowser, openConsole, shot, signIn, SHOTS, type ConsolePage } from './browser.ts';

/**
 * The console in a real Chromium against a real node (LMDB in a temp dir, HTTP on 127.0.0.1):
 * a reviewer and an enterprise admin sign in and do their work through the pages, and each
 * result is checked through the ordinary API.
 */

// jsqr is CommonJS with a `default` in its types; Node hands the function itself to an ESM default import.
const jsQR = ((jsqrModule as unknown as { default?: unknown }).default ?? jsqrModule) as typeof jsqrModule.default;

const first17 = '91350100M000100Y4';
const CREDIT_CODE = `${first17}${creditCodeCheckChar(first17)}`;
const APPS = '/api/admin/prefix-applications';

let node: TestNode;
let browser: Browser;
let entSecret: string;
let entAuth: string;
const pending: string[] = [];
const pages: ConsolePage[] = [];

async function post(path: string, body: unknown, auth?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) },
    body: JSON.stringify(body),
  });
  return (await res.json()) as Record<string, unknown>;
}

const apply = (company: string, prefix: string) =>
  post(APPS, {
    companyName: company,
    creditCode: CREDIT_CODE,
    contact: { name: 'Han Mei', email: 'han@example.com' },
    requestedPrefix: prefix,
  });

beforeAll(async () => {
  // One homed prefix: the decision routes refuse on a node homing several (a known defect, see the report).
  node = await startTestNode(['88.100'], { audit: true });
  const ent = await apply('Ningde Battery Works', '88.100.5');
  const approved = await post(`${APPS}/${String(ent['id'])}/approve`, {}, node.adminAuth('88.100'));
  entSecret = (approved['admin'] as { secret: string }).secret;
  entAuth = basicAuth('300:88.100.5/ADMIN', entSecret);
  for (const [c, p] of [
    ['示例电池有限公司', '88.100.21'],
    ['Shenzhen Cell Recycling', '88.100.22'],
  ] as const) {
    pending.push(String((await apply(c, p))['id']));
  }
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await node?.close();
});

async function consoleAs(user: string, secret: string): Promise<ConsolePage> {
  const c = await openConsole(browser, node.url);
  pages.push(c);
  await signIn(c, user, secret);
  return c;
}

/** A bounded local load: `workers` loops of GETs against 127.0.0.1 until `until` resolves or the caps hit. */
async function load(
  paths: readonly string[],
  until: Promise<unknown>,
  caps = { workers: 6, ms: 20_000, requests: 60_000 },
) {
  let sent = 0;
  let stop = false;
  const end = () => void (stop = true);
  until.then(end, end);
  const deadline = Date.now() + caps.ms;
  const worker = async (w: number) => {
    for (let i = w; !stop && Date.now() < deadline && sent < caps.requests; i++) {
      sent += 1;
      await (await fetch(`${node.url}${paths[i % paths.length]}`)).arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: caps.workers }, (_, w) => worker(w)));
  return sent;
}

describe('console in Chromium', () => {
  it('signs in with the admin handle and secret: an HttpOnly SameSite=Strict cookie, nothing in browser storage', async () => {
    const c = await openConsole(browser, node.url);
    pages.push(c);
    await c.page.fill('input[name=user]', '300:88.100.5/ADMIN');
    await c.page.fill('input[name=secret]', 'not-the-secret-0');
    await c.page.click('button[type=submit]');
    await expect.poll(() => c.page.textContent('.signin .notice')).toContain('IDN_ERR_AUTH_FAILED');
    await shot(c.page, '01-sign-in-refused');
    await signIn(c, '300:88.100.5/ADMIN', entSecret);
    expect(await c.page.textContent('#who')).toBe('300:88.100.5/ADMIN');
    const cookies = await c.context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'idnode_session', httpOnly: true, sameSite: 'Strict', path: '/api' }),
    ]);
    // The page cannot read its session, and keeps neither it nor the secret anywhere.
    // (Expressions as strings: they run in the page, whose DOM types this Node project does not load.)
    expect(await c.page.evaluate('document.cookie')).toBe('');
    expect(await c.page.evaluate('localStorage.length + sessionStorage.length')).toBe(0);
    expect(await c.page.evaluate('document.body.innerText')).not.toContain(entSecret);
    expect(await c.page.locator('nav a').allTextContents()).toEqual([
      'Live',
      'Applications',
      'Identifiers',
      'Import',
      'QR labels',
      'Audit',
    ]);
  });

  it('the latency panel updates while a load runs', async () => {
    for (let i = 0; i < 20; i++) {
      await putRecord(node.url, `88.100.5/LOAD-${i}`, [urlValue(1, `https://p.example/${i}`)], entAuth);
    }
    const c = await consoleAs('300:88.100.5/ADMIN', entSecret);
    await c.page.goto(`${node.url}/console/#/live`);
    const points = () => c.page.getAttribute('[data-test=chart-latency]', 'data-points').then(Number);
    const rate = () => c.page.textContent('[data-test=rate]').then((t) => Number((t ?? '').replace(/,/g, '')));
    await c.page.waitForSelector('[data-test=chart-latency][data-points]');
    const before = await points();
    const paths = Array.from({ length: 20 }, (_, i) => `/api/handles/88.100.5/LOAD-${i}`);
    const seen = (async () => {
      await expect.poll(rate, { timeout: 20_000 }).toBeGreaterThan(0);
      await expect.poll(points, { timeout: 20_000 }).toBeGreaterThanOrEqual(before + 2);
      await expect.poll(() => c.page.textContent('[data-test=latency-p99]'), { timeout: 20_000 }).toMatch(/^[0-9.]+$/);
      await expect
        .poll(() => c.page.locator('.panel', { hasText: 'Latency per enterprise prefix' }).textContent(), {
          timeout: 20_000,
        })
        .toContain('88.100.5');
      await shot(c.page, '02-live-under-load');
    })();
    const sent = await load(paths, seen);
    await seen;
    expect(sent).toBeGreaterThan(0);
    // The per-source table shows the cache answering most of them.
    expect(await c.page.locator('.panel', { hasText: 'Latency per source' }).textContent()).toContain('cache');
  });

  it('a reviewer approves one application and rejects another with a reason', async () => {
    const c = await consoleAs('300:88.100/ADMIN', node.secret);
    await c.page.goto(`${node.url}/console/#/reviews`);
    const row = (id: string) => c.page.locator(`tr[data-application="${id}"]`);
    await row(pending[0]!).waitFor();
    expect(await row(pending[0]!).textContent()).toContain('示例电池有限公司');
    await shot(c.page, '03-reviews-pending');
    await row(pending[0]!).locator('[data-action=approve]').click();
    const secret = await c.page.locator('[data-test=new-secret]').textContent();
    expect(secret?.length).toBeGreaterThanOrEqual(12);
    await shot(c.page, '04-reviews-approved');
    // Reject without a reason is refused in the page; with one it goes to the API.
    await row(pending[1]!).locator('[data-action=reject]').click();
    expect(await c.page.textContent('[data-test=review-result]')).toContain('needs a reason');
    await row(pending[1]!).locator('input').fill('Credit code does not match the business licence.');
    await row(pending[1]!).locator('[data-action=reject]').click();
    await expect.poll(() => c.page.textContent('[data-test=review-result]')).toContain('rejected');
    const get = async (id: string) =>
      (await (
        await fetch(`${node.url}${APPS}/${id}`, { headers: { authorization: node.adminAuth('88.100') } })
      ).json()) as Record<string, unknown>;
    expect(await get(pending[0]!)).toMatchObject({ status: 'approved', reviewer: '300:88.100/ADMIN' });
    expect(await get(pending[1]!)).toMatchObject({
      status: 'rejected',
      reason: 'Credit code does not match the business licence.',
    });
    // The approved enterprise signs in with the secret shown once.
    const res = await fetch(`${node.url}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: '300:88.100.21/ADMIN', secret }),
    });
    expect(res.status).toBe(201);
    await c.page.click('[data-status=rejected]');
    await row(pending[1]!).waitFor();
    await shot(c.page, '05-reviews-rejected');
  });

  it('an enterprise creates a record with two LINKs through the form', async () => {
    const c = await consoleAs('300:88.100.5/ADMIN', entSecret);
    await c.page.goto(`${node.url}/console/#/records`);
    await c.page.click('[data-action=new-record]');
    const editor = c.page.locator('[data-test=editor]');
    await editor.locator('[data-field=suffix]').fill('BAT-2026-000042');
    await editor.locator('[data-add=LINK]').click();
    await editor.locator('[data-add=LINK]').click();
    const links = editor.locator('.value-row[data-type=LINK]');
    const first = links.nth(0);
    await first.locator('[data-field=linkType]').selectOption('gs1:dpp');
    await first.locator('[data-field=title]').fill('Battery passport');
    await first.locator('[data-field=href]').fill('https://passport.example.com/bat/42/en');
    await first.locator('[data-field=type]').fill('text/html');
    await first.locator('[data-field=hreflang]').fill('en, de');
    await first.locator('[data-field=default]').check();
    const second = links.nth(1);
    await second.locator('[data-field=linkType]').selectOption('gs1:recyclingInfo');
    await second.locator('[data-field=title]').fill('Dismantling and recycling');
    await second.locator('[data-field=href]').fill('https://passport.example.com/bat/42/dismantling');
    await second.locator('[data-field=access]').selectOption('legitimate-interest');
    await shot(c.page, '06-record-form');
    await editor.locator('[data-action=save]').click();
    await expect
      .poll(() => editor.locator('[data-test=editor-status]').textContent())
      .toContain('Saved 88.100.5/BAT-2026-000042');

    const rec = (await (
      await fetch(`${node.url}/api/handles/88.100.5/BAT-2026-000042`, { headers: { authorization: entAuth } })
    ).json()) as { values: { type: string; access: string; data: { value: Record<string, unknown> } }[] };
    const saved = rec.values.filter((v) => v.type === 'LINK');
    expect(saved.map((v) => [v.data.value['linkType'], v.access])).toEqual([
      ['gs1:dpp', 'public'],
      ['gs1:recyclingInfo', 'legitimate-interest'],
    ]);
    expect(saved[0]!.data.value).toMatchObject({ hreflang: ['en', 'de'], type: 'text/html', default: true });
    // A scan goes to the default link; the restricted one is not shown to the public.
    const scan = await fetch(`${node.url}/88.100.5/BAT-2026-000042`, { redirect: 'manual' });
    expect(scan.status).toBe(307);
    expect(scan.headers.get('location')).toBe('https://passport.example.com/bat/42/en');
    expect(scan.headers.get('link')).not.toContain('dismantling');

    // Listed and found by search; the editor reopens it with both links.
    await c.page.fill('[data-field=search]', 'bat-2026');
    await c.page.press('[data-field=search]', 'Enter');
    await c.page.locator('tr[data-handle="88.100.5/BAT-2026-000042"]').waitFor();
    await c.page.locator('tr[data-handle="88.100.5/BAT-2026-000042"] button').click();
    await expect.poll(() => editor.locator('.value-row[data-type=LINK]').count()).toBe(2);
    await shot(c.page, '07-identifiers');
  });

  it('imports a CSV with one bad line and reports that line', async () => {
    const c = await consoleAs('300:88.100.5/ADMIN', entSecret);
    await c.page.goto(`${node.url}/console/#/import`);
    const csv = join(SHOTS, 'items.csv');
    await writeFile(
      csv,
      [
        'suffix,url,EMAIL',
        'CSV-1,https://passport.example.com/csv/1,service@example.com',
        'CSV-2,https://passport.example.com/csv/2,',
        'CSV 3,https://passport.example.com/csv/3,',
        'CSV-4,https://passport.example.com/csv/4,',
        'CSV-5,https://passport.example.com/csv/5,',
      ].join('\n') + '\n',
    );
    await c.page.setInputFiles('[data-field=file]', csv);
    await c.page.click('[data-action=import]');
    await expect.poll(() => c.page.textContent('[data-test=import-counts]')).toContain('5 of 5 lines');
    expect(await c.page.getAttribute('[data-test=import-progress]', 'value')).toBe('5');
    const bad = c.page.locator('[data-test=import-errors] tbody tr');
    expect(await bad.count()).toBe(1);
    expect(await bad.getAttribute('data-line')).toBe('4');
    expect(await bad.textContent()).toContain('IDN_ERR_WHITESPACE');
    expect(await c.page.textContent('[data-test=import-counts]')).toContain('4 registered');
    await shot(c.page, '08-import-report');
    for (const s of ['CSV-1', 'CSV-2', 'CSV-4', 'CSV-5']) {
      expect((await fetch(`${node.url}/api/handles/88.100.5/${s}`)).status).toBe(200);
    }
    // The same file again replays: nothing is registered twice.
    await c.page.click('[data-action=import]');
    await expect.poll(() => c.page.textContent('[data-test=import-counts]')).toContain('(4 already were)');
  });

  it('downloads a QR label that decodes to the resolver URL, and all labels as a zip', async () => {
    const c = await consoleAs('300:88.100.5/ADMIN', entSecret);
    await c.page.goto(`${node.url}/console/#/labels`);
    await c.page.fill('[data-field=ids]', '88.100.5/CSV-1\n88.100.5/CSV-2\n88.100.5/BAT-2026-000042');
    await c.page.click('[data-action=preview]');
    await expect.poll(() => c.page.locator('[data-test=labels] img').count()).toBe(3);
    await shot(c.page, '09-qr-labels');
    const [one] = await Promise.all([
      c.page.waitForEvent('download'),
      c.page.click('.label-card[data-handle="88.100.5/CSV-1"] [data-action=download]'),
    ]);
    expect(one.suggestedFilename()).toBe('88.100.5_CSV-1.png');
    const png = PNG.sync.read(await readFile(await one.path()));
    expect(jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data).toBe(`${node.url}/88.100.5/CSV-1`);
    const [zip] = await Promise.all([c.page.waitForEvent('download'), c.page.click('[data-action=zip]')]);
    const files = unzipSync(new Uint8Array(await readFile(await zip.path())));
    expect(Object.keys(files).sort()).toEqual([
      '88.100.5_BAT-2026-000042.png',
      '88.100.5_CSV-1.png',
      '88.100.5_CSV-2.png',
    ]);
  });

  it("shows the non-public reads of the enterprise's identifiers", async () => {
    // A recycler's read is simulated by the admin reading the restricted link (the audit names any non-public reader).
    await fetch(`${node.url}/api/handles/88.100.5/BAT-2026-000042`, { headers: { authorization: entAuth } });
    const c = await consoleAs('300:88.100.5/ADMIN', entSecret);
    await c.page.goto(`${node.url}/console/#/audit`);
    const rows = c.page.locator('[data-test=audit] tbody tr');
    await rows.first().waitFor();
    expect(await rows.first().textContent()).toContain('88.100.5/BAT-2026-000042');
    expect(await rows.first().textContent()).toContain('LINK (legitimate-interest)');
    await shot(c.page, '10-audit');
  });

  it('narrow screens: the panels stack and nothing overflows', async () => {
    const c = await openConsole(browser, node.url, 420);
    pages.push(c);
    await signIn(c, '300:88.100.5/ADMIN', entSecret);
    await c.page.goto(`${node.url}/console/#/live`);
    await c.page.waitForSelector('[data-test=chart-latency][data-points]');
    const overflow = await c.page.evaluate(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await shot(c.page, '11-live-narrow');
  });

  it('used only the API a script uses, and raised no script error', () => {
    const api = new Set(pages.flatMap((p) => p.requests).filter((p) => !p.startsWith('/console/')));
    const allowed = [
      /^\/api\/session$/,
      /^\/api\/stats$/,
      /^\/api\/handles$/,
      /^\/api\/handles\/.+/,
      /^\/api\/admin\/prefix-applications(\/[^/]+\/(approve|reject))?$/,
      /^\/api\/admin\/prefixes\/[^/]+\/(identifiers:batch|audit\/reads)$/,
      /^\/api\/qr\/.+/,
      /^\/\.well-known\/gs1resolver$/,
    ];
    expect([...api].filter((p) => !allowed.some((r) => r.test(p)))).toEqual([]);
    expect(pages.flatMap((p) => p.errors)).toEqual([]);
  });
});
