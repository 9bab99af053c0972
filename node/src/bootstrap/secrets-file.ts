import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Files in the data directory that hold node secrets: created once, mode 0600. */

export const CREDENTIALS_FILE = 'admin-credentials.json';
const TOKEN_KEY_FILE = 'token-key';

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

async function writePrivate(path: string, content: string): Promise<void> {
  await writeFile(path, content, { mode: 0o600 });
  await chmod(path, 0o600);
}

export type StoredCredentials = Record<string, { user: string; secret: string }>;

export async function readCredentials(dataDir: string): Promise<StoredCredentials> {
  const text = await readIfExists(join(dataDir, CREDENTIALS_FILE));
  return text === undefined ? {} : (JSON.parse(text) as StoredCredentials);
}

/** Written whole to a temporary file and renamed over: a reader never sees half a file, a crash never leaves one. */
export async function writeCredentials(dataDir: string, creds: StoredCredentials): Promise<void> {
  const path = join(dataDir, CREDENTIALS_FILE);
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writePrivate(temp, `${JSON.stringify(creds, null, 2)}\n`);
  await rename(temp, path);
}

export async function loadTokenKey(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, TOKEN_KEY_FILE);
  const existing = await readIfExists(path);
  if (existing !== undefined) return Buffer.from(existing.trim(), 'base64');
  const key = randomBytes(32);
  await writePrivate(path, key.toString('base64'));
  return key;
}

export const SEAL_KEY_FILE = 'seal-key';

/**
 * The seal keys of the HS_SECKEY values (ADR 0002): `<data dir>/seal-key`, created at first start
 * (32 random bytes, base64, mode 0600). One key per line: the first seals, any further lines are
 * older keys that still open what they sealed (rotation: put a new key on the first line).
 */
export async function loadSealKeys(dataDir: string): Promise<{ current: Buffer; previous: Buffer[] }> {
  const path = join(dataDir, SEAL_KEY_FILE);
  const existing = await readIfExists(path);
  if (existing === undefined) {
    const key = randomBytes(32);
    await writePrivate(path, `${key.toString('base64')}\n`);
    return { current: key, previous: [] };
  }
  const keys = existing
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => Buffer.from(l, 'base64'));
  const [current, ...previous] = keys;
  if (current === undefined || keys.some((k) => k.length !== 32)) {
    throw new Error(`${path} must hold base64 keys of 32 bytes, one a line (the first seals)`);
  }
  return { current, previous };
}
