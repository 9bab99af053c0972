import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519FromSeed, type Ed25519Key } from './ed25519.ts';
import { hexId, keyIdOf, SIG_ED25519 } from './note.ts';

/**
 * The log's note key until the node's signing module (node/src/signing/) offers one: a file of
 * the data directory, mode 0600, in x/mod's signer-key format
 * `PRIVATE+KEY+<name>+<hex key id>+base64(0x01 ‖ 32-byte seed)`. The name in the file is
 * informational: the key signs under the configured origin (a new name gives a new key id).
 */
export const TLOG_KEY_FILE = 'tlog-key';

const FORMAT = /^PRIVATE\+KEY\+[^+\s]+\+[0-9a-f]{8}\+([A-Za-z0-9+/]+=*)\s*$/;

export function signerKeyText(name: string, key: Ed25519Key, seed: Buffer): string {
  const id = hexId(keyIdOf(name, SIG_ED25519, key.publicKey));
  return `PRIVATE+KEY+${name}+${id}+${Buffer.concat([Buffer.from([SIG_ED25519]), seed]).toString('base64')}\n`;
}

export function parseSignerKey(text: string): Buffer | undefined {
  const m = FORMAT.exec(text);
  const material = m ? Buffer.from(m[1]!, 'base64') : undefined;
  return material?.length === 33 && material[0] === SIG_ED25519 ? material.subarray(1) : undefined;
}

/** Reads `<dataDir>/tlog-key`, creating it (0600) at first start. Never log what it returns. */
export function loadOrCreateLogKey(dataDir: string, name: string, file = TLOG_KEY_FILE): Ed25519Key {
  const path = join(dataDir, file);
  if (existsSync(path)) {
    const seed = parseSignerKey(readFileSync(path, 'utf8'));
    if (!seed)
      throw new Error(`${path} is not a note signer key (PRIVATE+KEY+<name>+<id>+<base64>): restore it from a backup`);
    return ed25519FromSeed(seed);
  }
  const seed = randomBytes(32);
  const key = ed25519FromSeed(seed);
  writeFileSync(path, signerKeyText(name, key, seed), { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return key;
}
