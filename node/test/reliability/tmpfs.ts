import { execFileSync } from 'node:child_process';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A small tmpfs the test mounts itself (root only): a data directory whose disk really fills.
 * Unmounted by the test in afterAll; where mount is not permitted the caller skips, saying why.
 */
export function mountTmpfs(dir: string, sizeMiB: number): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMiB}m`, 'tmpfs', dir], { stdio: 'pipe', timeout: 5000 });
    return undefined;
  } catch (e) {
    return `mount -t tmpfs not permitted here (${(e as Error).message.split('\n')[0]}): run as root to test a full disk`;
  }
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe', timeout: 5000 });
}

/** Writes `<dir>/filler` until the filesystem says ENOSPC; returns the bytes written. */
export async function fillDisk(dir: string): Promise<number> {
  const file = await open(join(dir, 'filler'), 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let total = 0;
  try {
    for (;;) {
      const { bytesWritten } = await file.write(chunk);
      total += bytesWritten;
      if (bytesWritten < chunk.length) break;
    }
  } catch (e) {
    if ((e as { code?: string }).code !== 'ENOSPC') throw e;
  } finally {
    await file.close();
  }
  return total;
}

export const freeDisk = (dir: string): Promise<void> => rm(join(dir, 'filler'), { force: true });
