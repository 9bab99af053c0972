import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HASH_SIZE } from './merkle.ts';

/**
 * The persisted tiles: one append-only file per tile level, `level-<L>`, holding that level's
 * hashes in order (level 0: the leaf hashes; level L ≥ 1: the roots of full level L-1 tiles).
 * Tile N of level L is bytes [N·8192, (N+1)·8192) of its file, a partial tile a prefix of that.
 * Derived data (the change log is the truth): written without fsync, checked at startup.
 */
export class LevelFiles {
  readonly #dir: string;
  readonly #fds: number[] = [];
  readonly #counts: number[] = [];

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  #fd(level: number): number {
    for (let l = this.#fds.length; l <= level; l++) {
      const fd = openSync(join(this.#dir, `level-${String(l)}`), 'a+', 0o600);
      // A torn append leaves a partial hash: it is dropped, then recomputed from the change log.
      const whole = Math.floor(fstatSync(fd).size / HASH_SIZE);
      if (whole * HASH_SIZE !== fstatSync(fd).size) ftruncateSync(fd, whole * HASH_SIZE);
      this.#fds.push(fd);
      this.#counts.push(whole);
    }
    return this.#fds[level]!;
  }

  count(level: number): number {
    this.#fd(level);
    return this.#counts[level]!;
  }

  /** `n` hashes of `level` from position `start`, concatenated. */
  read(level: number, start: number, n: number): Buffer {
    const fd = this.#fd(level);
    if (start + n > this.#counts[level]!)
      throw new RangeError(`level ${String(level)} has no hash ${String(start + n - 1)}`);
    const buf = Buffer.allocUnsafe(n * HASH_SIZE);
    let done = 0;
    while (done < buf.length) done += readSync(fd, buf, done, buf.length - done, start * HASH_SIZE + done);
    return buf;
  }

  append(level: number, hashes: Buffer): void {
    const fd = this.#fd(level);
    let done = 0;
    // 'a+': every write lands at the end, whatever the position.
    while (done < hashes.length) done += writeSync(fd, hashes, done, hashes.length - done);
    this.#counts[level]! += hashes.length / HASH_SIZE;
  }

  truncate(level: number, count: number): void {
    const fd = this.#fd(level);
    if (count >= this.#counts[level]!) return;
    ftruncateSync(fd, count * HASH_SIZE);
    this.#counts[level] = count;
  }

  close(): void {
    for (const fd of this.#fds.splice(0)) closeSync(fd);
  }
}
