/**
 * Test sizes. The default suite must finish in 10 minutes on a 2-core CI machine, so volume tests
 * run at a size that still shows their property (paging, replay, bounded memory...);
 * `npm run test:full` (IDNODE_TEST_FULL=1) runs them at the sizes they were written for.
 */
export const FULL = process.env.IDNODE_TEST_FULL === '1';

/** `small` in the default suite, `full` under IDNODE_TEST_FULL=1. */
export const sized = (small: number, full: number): number => (FULL ? full : small);
