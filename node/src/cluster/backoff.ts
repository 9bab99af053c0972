/** Restart delay after the n-th crash in a row (n >= 1): 250 ms doubling, at most 30 s, so a crash loop costs little. */
export function restartDelayMs(crashesInARow: number): number {
  return Math.min(30_000, 250 * 2 ** Math.max(0, crashesInARow - 1));
}
