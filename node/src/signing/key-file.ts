import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * `<data dir>/signing-key`: the node's Ed25519 signing keys as RFC 8032 seeds (32 bytes, base64),
 * one a line, mode 0600 like the seal and token keys. The first line signs; the next one is the
 * previous key, still published for verification after a rotation. Lines starting with # are
 * comments. The file is never logged and its contents never leave this module except as public keys.
 */
export const SIGNING_KEY_FILE = 'signing-key';
const SEED_BYTES = 32;
/** Keys kept after a rotation: the current one and the one before it (ADR 0011 "Rotation"). */
const KEPT = 2;

export const signingKeyPath = (dataDir: string): string => join(dataDir, SIGNING_KEY_FILE);

export interface SigningSeeds {
  readonly current: Buffer;
  readonly previous: readonly Buffer[];
}

export function parseSeeds(text: string, path: string): SigningSeeds {
  const seeds = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => Buffer.from(l, 'base64'));
  const [current, ...previous] = seeds;
  if (current === undefined || seeds.some((s) => s.length !== SEED_BYTES)) {
    throw new Error(`${path} must hold base64 Ed25519 seeds of 32 bytes, one a line (the first signs)`);
  }
  return { current, previous };
}

const format = (seeds: readonly Buffer[]): string =>
  '# idnode Ed25519 signing keys (RFC 8032 seeds): the first signs, the next is the previous key\n' +
  seeds.map((s) => `${s.toString('base64')}\n`).join('');

/** Written to a temporary file (0600) and renamed: a running node never reads half a file. */
async function writeAtomically(path: string, seeds: readonly Buffer[]): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, format(seeds), { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** The node's signing seeds, created (one fresh key) at first start. */
export async function loadSigningSeeds(dataDir: string): Promise<SigningSeeds> {
  const path = signingKeyPath(dataDir);
  const text = await readIfExists(path);
  if (text !== undefined) return parseSeeds(text, path);
  const current = randomBytes(SEED_BYTES);
  await writeAtomically(path, [current]);
  return { current, previous: [] };
}

/** A new current key; the old current becomes the previous one (older keys are dropped). */
export async function rotateSigningSeeds(dataDir: string): Promise<SigningSeeds> {
  const old = await loadSigningSeeds(dataDir);
  const current = randomBytes(SEED_BYTES);
  const kept = [current, old.current, ...old.previous].slice(0, KEPT);
  await writeAtomically(signingKeyPath(dataDir), kept);
  return { current, previous: kept.slice(1) };
}
