import type { NodeClient } from '../http-client.ts';
import { nodeHash, type Hash, type HashReader } from '../../tlog/merkle.ts';
import { tilePath, TILE_HEIGHT, TILE_WIDTH } from '../../tlog/tile-path.ts';

/**
 * Complete-subtree hashes of a tree of `size` read from the node's tiles. Nothing read here is
 * trusted: a proof built from it is checked against signed roots (verifiable_logs.md §1.6).
 */
export async function tileReader(
  client: NodeClient,
  size: number,
  needs: (read: HashReader) => unknown,
): Promise<void> {
  const tiles = new Map<string, Buffer>();
  const missing = new Set<string>();
  const read: HashReader = (height, index) => {
    const level = Math.floor(height / TILE_HEIGHT);
    const width = 2 ** (height % TILE_HEIGHT);
    const first = index * width;
    const tile = Math.floor(first / TILE_WIDTH);
    const inLevel = Math.floor(size / TILE_WIDTH ** level);
    const w = Math.min(TILE_WIDTH, inLevel - tile * TILE_WIDTH);
    const path = tilePath({ level, index: tile, width: w });
    const bytes = tiles.get(path);
    if (!bytes) {
      missing.add(path);
      return Buffer.alloc(32);
    }
    let hashes: Hash[] = [];
    for (let i = 0; i < width; i++) {
      const at = (first - tile * TILE_WIDTH + i) * 32;
      hashes.push(bytes.subarray(at, at + 32));
    }
    while (hashes.length > 1) hashes = hashes.flatMap((h, i) => (i % 2 === 0 ? [nodeHash(h, hashes[i + 1]!)] : []));
    return hashes[0]!;
  };
  // Run the computation, fetch what it missed, again, until it needs nothing new.
  for (let round = 0; round < 8; round++) {
    missing.clear();
    needs(read);
    if (missing.size === 0) return;
    for (const path of missing) {
      const res = await client.request('GET', `/log/${path}`);
      if (!res.ok) throw new Error(`/log/${path}: ${String(res.status)}`);
      tiles.set(path, Buffer.from(await res.arrayBuffer()));
    }
  }
  throw new Error('the tiles did not settle');
}
