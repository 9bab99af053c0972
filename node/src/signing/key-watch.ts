import { unwatchFile, watchFile } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseSeeds, signingKeyPath } from './key-file.ts';
import type { AnswerSigner } from './answer-signer.ts';
import { SigningKeys } from './signing-keys.ts';

/** How often the key file's mtime is polled: a rotation is picked up within this (plus a read). */
export const KEY_POLL_MS = 1_000;

export interface KeyWatchEvents {
  /** The new keys are in use (the lead worker publishes the new HS_PUBKEY then). */
  readonly changed: (keys: SigningKeys) => void;
  /** The file could not be used: the old keys stay. The message names the file, never a key. */
  readonly failed: (message: string) => void;
}

/**
 * Rotation without downtime (ADR 0011): `idnode keys rotate-signing` rewrites the key file
 * atomically and every running process on that data directory (each worker, each instance)
 * notices the new mtime and signs with the new key from then on; nothing needs a signal or a
 * restart, and a half-written or broken file never replaces working keys.
 */
export function watchSigningKeys(dataDir: string, signer: AnswerSigner, on: KeyWatchEvents): () => void {
  const path = signingKeyPath(dataDir);
  const reload = async (): Promise<void> => {
    try {
      const keys = SigningKeys.of(parseSeeds(await readFile(path, 'utf8'), path));
      if (keys.current.kid === signer.keys.current.kid) return;
      signer.useKeys(keys);
      on.changed(keys);
    } catch (e) {
      on.failed(e instanceof Error ? e.message : String(e));
    }
  };
  const listener = (now: { mtimeMs: number }, before: { mtimeMs: number }): void => {
    if (now.mtimeMs !== before.mtimeMs) void reload();
  };
  watchFile(path, { interval: KEY_POLL_MS, persistent: false }, listener);
  return () => unwatchFile(path, listener);
}
