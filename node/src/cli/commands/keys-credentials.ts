import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The node's file of generated admin secrets (bootstrap/secrets-file.ts writes it; same shape). */
export const CREDENTIALS_FILE = 'admin-credentials.json';

type Entries = Record<string, { user: string; secret: string }>;

async function readEntries(path: string): Promise<Entries | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Entries;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * After a rotation through the API: the credentials file's entry for the prefix, when it has one,
 * holds the new secret at once (the node also rewrites it when it sees the change, but a
 * `keys show --reveal` right after the command must not read the old one). Answers the file's
 * path when it was updated, undefined when it has no entry for the prefix (nothing stale there).
 */
export async function updateCredentialsFile(
  dataDir: string,
  prefix: string,
  secret: string,
): Promise<string | undefined> {
  const path = join(dataDir, CREDENTIALS_FILE);
  const entries = await readEntries(path);
  const entry = entries?.[prefix];
  if (entries === undefined || entry === undefined) return undefined;
  entries[prefix] = { ...entry, secret };
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${JSON.stringify(entries, null, 2)}\n`, { mode: 0o600 });
  await chmod(temp, 0o600);
  await rename(temp, path);
  return path;
}
