import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, shot } from '../console/browser.ts';
import { putRecord, startTestNode, urlValue, type TestNode } from '../helpers/test-node.ts';

/**
 * The `?noredirect` record page in headless Chromium, as the person who scanned a label sees it:
 * no sideways scrolling on a 375 px phone or a 1400 px desktop, document titles as links with
 * their languages, the product's kind and enterprise, and no administrative values for consumers.
 */

let node: TestNode;
let browser: Browser;

const LONG = `https://passport.example.com/${'very-long-path-segment-'.repeat(12)}end`;

const link = (index: number, value: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  index,
  type: 'LINK',
  data: { format: 'json', value },
  ...extra,
});

beforeAll(async () => {
  [node, browser] = await Promise.all([startTestNode(['88.100.5']), launchBrowser()]);
  const put = await putRecord(
    node.url,
    '88.100.5/BAT-PAGE-1',
    [
      { index: 1, type: 'KIND', data: 'product' },
      link(2, { linkType: 'gs1:dpp', href: `${LONG}/en`, title: 'Battery passport', hreflang: ['en'], default: true }),
      link(3, {
        linkType: 'gs1:dpp',
        href: 'https://passport.example.com/de',
        title: 'Batteriepass',
        hreflang: ['de'],
      }),
      link(4, { linkType: 'gs1:pip', href: 'https://maker.example.com/p', title: '<b>Product</b> & "page"' }),
      link(
        5,
        { linkType: 'gs1:recyclingInfo', href: 'https://r.example.com', title: 'Dismantling' },
        { access: 'authority' },
      ),
      urlValue(6, LONG),
      { index: 7, type: 'DESC', data: `{"json":"${'x'.repeat(300)}"}` },
    ],
    node.adminAuth('88.100.5'),
  );
  expect(put.status, JSON.stringify(put.body)).toBe(201);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await node?.close();
});

async function open(width: number, headers: Record<string, string> = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 }, extraHTTPHeaders: headers });
  const page = await context.newPage();
  const res = await page.goto(`${node.url}/88.100.5/BAT-PAGE-1?noredirect`);
  expect(res?.status()).toBe(200);
  return page;
}

const overflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

describe('the record page', () => {
  it.each([375, 1400])('does not scroll sideways at %i px', async (width) => {
    const page = await open(width);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await shot(page, `record-page-${width}`);
    await page.context().close();
  });

  it('shows titles as links, with their languages, the kind and the enterprise', async () => {
    const page = await open(1400);
    const links = page.locator('a.link-title');
    expect(await links.allTextContents()).toEqual(['Battery passport', 'Batteriepass', '<b>Product</b> & "page"']);
    expect(await links.first().getAttribute('href')).toBe(`${LONG}/en`);
    expect(await links.nth(1).getAttribute('hreflang')).toBe('de');
    const text = (await page.textContent('main')) ?? '';
    expect(text).toContain('Digital product passport');
    expect(text).toContain('Product information page');
    expect(await page.textContent('.kind')).toBe('Product');
    expect(await page.getAttribute('.enterprise a', 'href')).toBe('/88.100.5?noredirect');
    // Escaped, not markup: the title's <b> is text, no element.
    expect(await page.locator('main b').count()).toBe(0);
    expect(text).not.toContain('Dismantling');
    await page.context().close();
  });

  it('hides HS_ADMIN and keys from a consumer; the record admin sees HS_ADMIN', async () => {
    const consumer = await open(1400);
    expect(await consumer.textContent('main')).not.toMatch(/HS_ADMIN|HS_SECKEY/);
    await consumer.context().close();
    const admin = await open(1400, { authorization: node.adminAuth('88.100.5') });
    expect(await admin.textContent('main')).toContain('HS_ADMIN');
    expect(await admin.textContent('main')).toContain('Dismantling');
    await admin.context().close();
  });
});
