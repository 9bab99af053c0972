/**
 * Debian's Chromium as every browser test drives it (through playwright-core, which downloads no
 * browser): one path and one set of flags for the GS1 CORS tests and the console tests.
 */
export const CHROMIUM = process.env.IDNODE_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
