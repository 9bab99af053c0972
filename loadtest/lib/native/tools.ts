import { execFileSync } from 'node:child_process';

/** The load generators are C programs from Debian; the bench refuses to guess without them. */

const TOOLS = [
  { bin: 'wrk', pkg: 'wrk' },
  { bin: 'h2load', pkg: 'nghttp2-client' },
] as const;

const present = (bin: string): boolean => {
  try {
    execFileSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

/** Throws with the exact install command when wrk or h2load is missing. */
export function requireGenerators(): void {
  const missing = TOOLS.filter((t) => !present(t.bin));
  if (missing.length === 0) return;
  const names = missing.map((t) => t.bin).join(', ');
  throw new Error(
    `npm run bench needs ${names} (C load generators from Debian). Install with:\n` +
      `  sudo apt-get install -y ${TOOLS.map((t) => t.pkg).join(' ')}\n` +
      `or run the autocannon harness instead: npm run bench -- --autocannon`,
  );
}
