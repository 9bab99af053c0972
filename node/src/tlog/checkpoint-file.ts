import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCheckpointText, type Checkpoint } from './checkpoint.ts';
import { parseNote } from './note.ts';

/** The last published checkpoint (with its signatures), kept so a restart extends it. */
export const CHECKPOINT_FILE = 'checkpoint';

export interface PublishedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The signed note as served. */
  readonly note: string;
}

export function readPublished(dir: string): PublishedCheckpoint | undefined {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return undefined;
  const note = readFileSync(path, 'utf8');
  const opened = parseNote(note);
  const checkpoint = opened && parseCheckpointText(opened.text);
  return checkpoint ? { checkpoint, note } : undefined;
}

/** Written before it is served: write a temporary file, then rename over the old one. */
export function writePublished(dir: string, note: string): void {
  const path = join(dir, CHECKPOINT_FILE);
  writeFileSync(`${path}.tmp`, note, { mode: 0o644 });
  renameSync(`${path}.tmp`, path);
}
