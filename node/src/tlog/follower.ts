import type { ReadonlyStore } from '../store/store.ts';
import { leafHashOfEntry, writeLeafHash } from './leaf.ts';
import type { LogTree } from './log-tree.ts';
import { HASH_SIZE } from './merkle.ts';
import { TILE_WIDTH } from './tile-path.ts';

const PAGE = 2000;

export const leafHashOf = leafHashOfEntry;

export interface StartupCheck {
  /** Leaves kept from the files, checked against the change log tail. */
  readonly kept: number;
  /** Leaves hashed again (missing, torn, or disagreeing with the change log). */
  readonly rehashed: number;
  /** The files disagreed with the change log (not just a torn tail): the tree was rebuilt. */
  readonly rebuilt: boolean;
}

/**
 * Startup: the tiles are derived data, the change log the truth. Keeps the files when their last
 * tile of leaves matches the change log, drops a tail the change log does not have, rebuilds
 * otherwise; then hashes what is missing (followTo).
 */
export async function checkTree(tree: LogTree, store: ReadonlyStore): Promise<Omit<StartupCheck, 'rehashed'>> {
  const last = await store.lastSeq();
  if (tree.size > last) tree.truncate(last);
  const from = Math.max(0, tree.size - TILE_WIDTH);
  const entries = tree.size > 0 ? await store.changesSince(from, tree.size - from) : [];
  const stored = tree.size > from ? tree.files.read(0, from, tree.size - from) : Buffer.alloc(0);
  const agrees =
    entries.length === tree.size - from &&
    entries.every((e, i) => leafHashOf(e).equals(stored.subarray(i * 32, i * 32 + 32)));
  if (!agrees) {
    tree.truncate(0);
    return { kept: 0, rebuilt: true };
  }
  // Tile roots above: recomputed when a crash left them behind; a wrong last one is recomputed too.
  for (let level = 1; tree.files.count(level) > 0; level++) {
    const n = tree.files.count(level) - 1;
    if (!tree.files.read(level, n, 1).equals(tree.tileRoot(level - 1, n))) tree.files.truncate(level, n);
  }
  tree.completeTiles();
  return { kept: tree.size, rebuilt: false };
}

/** Back to the event loop: requests that arrived (an import's next chunk) go before the next page. */
const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Appends the leaves of every change-log entry after the tree's size, a page at a time (one
 * write of the level files per page); resolves with the leaves added. Between pages it lets
 * waiting I/O run, so a backlog (a bulk import, a restart) never holds the writes back for long.
 */
export async function followTo(tree: LogTree, store: ReadonlyStore): Promise<number> {
  let added = 0;
  for (;;) {
    if (added > 0) await yieldToIo();
    const page = await store.changesSince(tree.size, PAGE);
    // The page's leaf hashes, written straight into one buffer (the bytes level-0 gets).
    const hashes = Buffer.allocUnsafe(page.length * HASH_SIZE);
    for (let i = 0; i < page.length; i++) {
      const e = page[i]!;
      // The leaves ARE the change log: leaf i is seq i+1, nothing skipped, nothing reordered.
      if (e.seq !== tree.size + i + 1)
        throw new Error(`change log seq ${String(e.seq)} after leaf ${String(tree.size + i)}`);
      writeLeafHash(e, hashes, i * HASH_SIZE);
    }
    tree.append(hashes);
    added += page.length;
    if (page.length < PAGE) return added;
  }
}
