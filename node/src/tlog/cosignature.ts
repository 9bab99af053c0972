import { ed25519Sign, ed25519Verify, type Ed25519Key } from './ed25519.ts';
import { keyIdOf, SIG_COSIGNATURE_V1, signatureLine, vkeyOf, type OpenedNote, type NoteVerifier } from './note.ts';
import type { SignatureCheck } from './note.ts';

/**
 * C2SP tlog-cosignature v1.0.1 (Ed25519, type 0x04): the signature covers
 * `cosignature/v1\ntime <seconds>\n` followed by the checkpoint's note text; the signature
 * bytes are the u64 big-endian timestamp followed by the 64-byte signature.
 */

export interface Cosigner {
  readonly name: string;
  readonly keyId: number;
  readonly vkey: string;
  /** The signature line for a checkpoint text, timestamped `seconds`. */
  cosign(text: string, seconds: number): string;
}

const messageOf = (text: string, seconds: bigint): Buffer =>
  Buffer.from(`cosignature/v1\ntime ${seconds.toString()}\n${text}`, 'utf8');

export function ed25519Cosigner(name: string, key: Ed25519Key): Cosigner {
  const keyId = keyIdOf(name, SIG_COSIGNATURE_V1, key.publicKey);
  return {
    name,
    keyId,
    vkey: vkeyOf(name, SIG_COSIGNATURE_V1, key.publicKey),
    cosign: (text, seconds) => {
      const t = BigInt(seconds);
      const stamp = Buffer.alloc(8);
      stamp.writeBigUInt64BE(t);
      const sig = ed25519Sign(key.privateKey, messageOf(text, t));
      return signatureLine(name, keyId, Buffer.concat([stamp, sig]));
    },
  };
}

export interface CosignatureCheck {
  readonly result: SignatureCheck;
  /** The newest valid timestamp, seconds. */
  readonly time?: number;
}

export function checkCosignature(note: OpenedNote, key: NoteVerifier): CosignatureCheck {
  const mine = note.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
  if (mine.length === 0) return { result: 'absent' };
  let time = 0;
  for (const s of mine) {
    if (s.signature.length !== 72) return { result: 'invalid' };
    const t = s.signature.readBigUInt64BE(0);
    if (!ed25519Verify(key.publicKey, messageOf(note.text, t), s.signature.subarray(8))) return { result: 'invalid' };
    time = Math.max(time, Number(t));
  }
  return { result: 'valid', time };
}
