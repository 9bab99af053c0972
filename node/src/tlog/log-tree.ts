import { LevelFiles } from './level-files.ts';
import {
  consistencyProof,
  HASH_SIZE,
  inclusionProof,
  writeNodeHash,
  treeHash,
  type Hash,
  type HashReader,
} from './merkle.ts';
import { TILE_HEIGHT, TILE_WIDTH } from './tile-path.ts';

/** MTH of 2^r consecutive hashes (r ≤ 8): fold pairs r times, each level one buffer. */
function fold(hashes: Buffer, r: number): Hash {
  let level = hashes;
  for (let step = 0; step < r; step++) {
    const up = Buffer.allocUnsafe(level.length / 2);
    for (let o = 0; o < up.length; o += HASH_SIZE) writeNodeHash(level, 2 * o, up, o);
    level = up;
  }
  return Buffer.from(level.subarray(0, HASH_SIZE));
}

/**
 * The Merkle tree over the leaf hashes, kept as tlog-tiles (height 8) in LevelFiles: a level L
 * hash exists only for a full level L-1 tile (partial tiles never feed the level above).
 */
export class LogTree {
  readonly files: LevelFiles;

  constructor(dir: string) {
    this.files = new LevelFiles(dir);
  }

  get size(): number {
    return this.files.count(0);
  }

  /** Appends leaf hashes (concatenated), then the roots of every tile they complete, level by level. */
  append(leafHashes: Buffer): void {
    if (leafHashes.length === 0) return;
    this.files.append(0, leafHashes);
    this.completeTiles();
  }

  /** Adds the level L+1 hash of every full level L tile that has none yet (also repairs after a crash). */
  completeTiles(): void {
    for (let level = 0; this.files.count(level) >= TILE_WIDTH; level++) {
      const full = Math.floor(this.files.count(level) / TILE_WIDTH);
      const roots: Hash[] = [];
      for (let t = this.files.count(level + 1); t < full; t++) {
        roots.push(fold(this.files.read(level, t * TILE_WIDTH, TILE_WIDTH), TILE_HEIGHT));
      }
      if (roots.length > 0) this.files.append(level + 1, Buffer.concat(roots));
    }
  }

  /** Drops every hash from leaf `size` on (and the tile roots that covered them). */
  truncate(size: number): void {
    let count = size;
    for (let level = 0; level < 8; level++) {
      this.files.truncate(level, count);
      count = Math.floor(count / TILE_WIDTH);
    }
  }

  /** The root of full tile `index` at `level`, recomputed from the level below (startup checks). */
  tileRoot(level: number, index: number): Hash {
    return fold(this.files.read(level, index * TILE_WIDTH, TILE_WIDTH), TILE_HEIGHT);
  }

  readonly hashAt: HashReader = (height, index) => {
    const level = Math.floor(height / TILE_HEIGHT);
    const r = height % TILE_HEIGHT;
    const width = 2 ** r;
    return fold(this.files.read(level, index * width, width), r);
  };

  root(size = this.size): Hash {
    return treeHash(size, this.hashAt);
  }

  inclusion(index: number, size: number): Hash[] {
    return inclusionProof(index, size, this.hashAt);
  }

  consistency(from: number, to: number): Hash[] {
    return consistencyProof(from, to, this.hashAt);
  }

  /** The hashes of tile `index` at `level`, `width` of them (the bytes tlog-tiles serves). */
  tile(level: number, index: number, width: number): Buffer | undefined {
    const start = index * TILE_WIDTH;
    if (start + width > this.files.count(level)) return undefined;
    return this.files.read(level, start, width);
  }

  close(): void {
    this.files.close();
  }
}
