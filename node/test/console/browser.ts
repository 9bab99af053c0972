import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_FLAGS } from '../helpers/chromium.ts';

/**
 * Debian's Chromium driven by playwright-core (which never downloads a browser). Playwright gives
 * every launch a fresh temporary --user-data-dir and every context its own cookie jar, so each
 * signed-in admin is isolated and nothing survives the run.
 */

export { CHROMIUM };

/** Screenshots of each panel land here (look at them; the README's docs/console.png is one). */
export const SHOTS = process.env.IDNODE_CONSOLE_SHOTS ?? join(tmpdir(), 'idnode-console-shots');

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set IDNODE_CHROMIUM)`);
  }
  await mkdir(SHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS], timeout: 30_000 });
}

export interface ConsolePage {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Script errors the page raised: a test fails on any. */
  readonly errors: string[];
  /** Every request path the console made (to check it used the ordinary API only). */
  readonly requests: string[];
}

export async function openConsole(browser: Browser, base: string, width = 1400): Promise<ConsolePage> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, acceptDownloads: true });
  const page = await context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Chromium logs every 4xx as "Failed to load resource": answers the test expects, not script errors.
  page.on(
    'console',
    (m) => void (m.type() === 'error' && !m.text().startsWith('Failed to load') && errors.push(m.text())),
  );
  page.on('request', (r) => void (r.url().startsWith(base) && requests.push(new URL(r.url()).pathname)));
  await page.goto(`${base}/console/`);
  return { context, page, errors, requests };
}

/** Signs in through the form, as a person would. */
export async function signIn(c: ConsolePage, user: string, secret: string): Promise<void> {
  await c.page.fill('input[name=user]', user);
  await c.page.fill('input[name=secret]', secret);
  await c.page.click('button[type=submit]');
  await c.page.waitForSelector('#sign-out:not([hidden])');
}

export async function shot(page: Page, name: string): Promise<string> {
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
