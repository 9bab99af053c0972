/** An independent C2SP signed-note / checkpoint / cosignature reader for the tests. */
import { ed25519Ok, sha256 } from './merkle.ts';

export interface Vkey {
  name: string;
  id: string;
  type: number;
  key: Buffer;
}

export function readVkey(s: string): Vkey {
  // The key material is base64, which may itself contain "+": split at the first two only.
  const [name, id] = s.split('+');
  const b64 = s.slice((name?.length ?? 0) + (id?.length ?? 0) + 2);
  if (!name || !id || !b64) throw new Error(`bad vkey ${s}`);
  const raw = Buffer.from(b64, 'base64');
  const v = { name, id, type: raw[0]!, key: raw.subarray(1) };
  const want = sha256(Buffer.from(name), Buffer.of(0x0a, v.type), v.key).subarray(0, 4).toString('hex');
  if (want !== id) throw new Error(`vkey id ${id} is not ${want}`);
  return v;
}

export interface Sig {
  name: string;
  id: string;
  bytes: Buffer;
}

export function splitNote(note: string): { text: string; sigs: Sig[] } {
  const at = note.lastIndexOf('\n\n');
  if (at < 0) throw new Error('no blank line');
  const text = note.slice(0, at + 1);
  const sigs = note
    .slice(at + 2)
    .split('\n')
    .filter((l) => l !== '')
    .map((line) => {
      if (!line.startsWith('\u2014 ')) throw new Error(`not a signature line: ${line}`);
      const [name, b64] = line.slice(2).split(' ');
      const raw = Buffer.from(b64 ?? '', 'base64');
      return { name: name ?? '', id: raw.subarray(0, 4).toString('hex'), bytes: raw.subarray(4) };
    });
  return { text, sigs };
}

/** Throws unless a signature by `v` (0x01 Ed25519) is present and every such signature verifies. */
export function requireSignature(note: string, v: Vkey): string {
  const { text, sigs } = splitNote(note);
  const mine = sigs.filter((s) => s.name === v.name && s.id === v.id);
  if (mine.length === 0) throw new Error(`no signature by ${v.name}`);
  for (const s of mine)
    if (!ed25519Ok(v.key, Buffer.from(text), s.bytes)) throw new Error(`bad signature by ${v.name}`);
  return text;
}

/** cosignature/v1: returns the timestamp; throws when absent or wrong. */
export function requireCosignature(note: string, v: Vkey): number {
  const { text, sigs } = splitNote(note);
  const s = sigs.find((x) => x.name === v.name && x.id === v.id);
  if (!s || s.bytes.length !== 72) throw new Error(`no cosignature by ${v.name}`);
  const t = s.bytes.readBigUInt64BE(0);
  const msg = Buffer.from(`cosignature/v1\ntime ${t}\n${text}`);
  if (!ed25519Ok(v.key, msg, s.bytes.subarray(8))) throw new Error(`bad cosignature by ${v.name}`);
  return Number(t);
}

export interface Cp {
  origin: string;
  size: number;
  root: Buffer;
}

export function readCheckpoint(text: string): Cp {
  const [origin, size, root] = text.split('\n');
  if (!origin || !size || !/^(0|[1-9][0-9]*)$/.test(size) || !root) throw new Error(`bad checkpoint ${text}`);
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') };
}
