import { createHash } from 'node:crypto';
import { ed25519Sign, ed25519Verify, type Ed25519Key } from './ed25519.ts';

/**
 * C2SP signed-note v1.0.0: UTF-8 text ending in a newline, an empty line, then signature lines
 * `— <name> <base64(keyID ‖ signature)>` (U+2014). Key ID = SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4].
 */

export const SIG_ED25519 = 0x01;
export const SIG_COSIGNATURE_V1 = 0x04;
const DASH = '\u2014 ';

/** What signs a note: the log's key (type 0x01). `sign` gets the note text, final newline included. */
export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  /** The verifier key string `name+hex id+base64(type ‖ key)`, published for clients. */
  readonly vkey: string;
  sign(message: Uint8Array): Buffer;
}

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  readonly type: number;
  readonly publicKey: Buffer;
}

export function keyIdOf(name: string, type: number, publicKey: Uint8Array): number {
  const h = createHash('sha256')
    .update(name)
    .update(Buffer.from([0x0a, type]))
    .update(publicKey)
    .digest();
  return h.readUInt32BE(0);
}

export const hexId = (id: number): string => id.toString(16).padStart(8, '0');

export function vkeyOf(name: string, type: number, publicKey: Uint8Array): string {
  const material = Buffer.concat([Buffer.from([type]), publicKey]).toString('base64');
  return `${name}+${hexId(keyIdOf(name, type, publicKey))}+${material}`;
}

const validName = (name: string): boolean => name.length > 0 && !/[\s+]/u.test(name);

/** Parses `name+id+base64(type ‖ key)`; the id must be the one the name and key give. */
export function parseVkey(vkey: string): NoteVerifier | undefined {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey.trim());
  if (!m) return undefined;
  const material = Buffer.from(m[3]!, 'base64');
  const type = material[0];
  if (type === undefined || material.length !== 33) return undefined;
  const publicKey = material.subarray(1);
  const keyId = keyIdOf(m[1]!, type, publicKey);
  return hexId(keyId) === m[2] ? { name: m[1]!, keyId, type, publicKey } : undefined;
}

export function ed25519NoteSigner(name: string, key: Ed25519Key): NoteSigner {
  if (!validName(name)) throw new RangeError(`a note key name has no spaces and no "+": ${name}`);
  return {
    name,
    keyId: keyIdOf(name, SIG_ED25519, key.publicKey),
    vkey: vkeyOf(name, SIG_ED25519, key.publicKey),
    sign: (message) => ed25519Sign(key.privateKey, message),
  };
}

export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId);
  return `${DASH}${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/** The whole note: text, empty line, one signature by `signer`. */
export function signNote(text: string, signer: NoteSigner): string {
  if (!text.endsWith('\n')) throw new RangeError('note text ends in a newline');
  const sig = signer.sign(Buffer.from(text, 'utf8'));
  return `${text}\n${signatureLine(signer.name, signer.keyId, sig)}`;
}

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The bytes after the key ID. */
  readonly signature: Buffer;
}

export interface OpenedNote {
  /** The signed text, its final newline included. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

const SIG_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/u;

/** Splits a note at its last empty line; undefined when it is not a note. */
export function parseNote(note: string): OpenedNote | undefined {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return undefined;
  const text = note.slice(0, split + 1);
  // signed-note: no ASCII control character but the newline.
  for (let i = 0; i < note.length; i++) {
    const c = note.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0x7f) return undefined;
  }
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = SIG_LINE.exec(line);
    if (!m) return undefined;
    const raw = Buffer.from(m[2]!, 'base64');
    if (raw.length < 5) return undefined;
    signatures.push({ name: m[1]!, keyId: raw.readUInt32BE(0), signature: raw.subarray(4) });
  }
  return signatures.length > 0 && signatures.length <= 100 ? { text, signatures } : undefined;
}

export type SignatureCheck = 'valid' | 'invalid' | 'absent';

/** Whether a plain Ed25519 (type 0x01) signature by `key` on the note verifies. Known = same name and id. */
export function checkNoteSignature(note: OpenedNote, key: NoteVerifier): SignatureCheck {
  const mine = note.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
  if (mine.length === 0) return 'absent';
  const message = Buffer.from(note.text, 'utf8');
  return mine.every((s) => ed25519Verify(key.publicKey, message, s.signature)) ? 'valid' : 'invalid';
}
