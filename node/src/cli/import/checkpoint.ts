import { randomUUID } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';

/**
 * `<file>.idnode-import.json`: how far an import got. Written atomically (temp file + rename)
 * after every contiguous run of acknowledged lines, so a killed import resumes at `offset`; lines
 * after it may have been stored already, and their chunk's idempotency key
 * (`<importId>:<first line of the chunk>`, chunks of `chunk` lines) makes re-sending them a
 * replay, never a second identifier.
 */
export interface Checkpoint {
  readonly version: 1;
  readonly importId: string;
  readonly input: { readonly size: number; readonly mtimeMs: number };
  readonly prefix: string;
  /** Last fully acknowledged line (1-based; 0 = none) and the byte offset just after it. */
  readonly line: number;
  readonly offset: number;
  readonly ok: number;
  readonly failed: number;
  /** Size of the error report at this point; a resume truncates it back to this. */
  readonly errorsBytes: number;
  readonly complete: boolean;
  /** Lines per request; a resume keeps it, so chunks (and their keys) start where they did. */
  readonly chunk?: number;
}

export const checkpointPath = (file: string): string => `${file}.idnode-import.json`;
export const errorsPath = (file: string): string => `${file}.errors.ndjson`;

export async function readCheckpoint(file: string): Promise<Checkpoint | undefined> {
  try {
    return JSON.parse(await readFile(checkpointPath(file), 'utf8')) as Checkpoint;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export async function writeCheckpoint(file: string, c: Checkpoint): Promise<void> {
  const path = checkpointPath(file);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(c)}\n`);
  await rename(tmp, path);
}

export async function freshCheckpoint(file: string, prefix: string, chunk: number): Promise<Checkpoint> {
  const s = await stat(file);
  return {
    version: 1,
    importId: randomUUID(),
    input: { size: s.size, mtimeMs: s.mtimeMs },
    prefix,
    line: 0,
    offset: 0,
    ok: 0,
    failed: 0,
    errorsBytes: 0,
    complete: false,
    chunk,
  };
}
