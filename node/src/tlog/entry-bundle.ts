import type { ChangeEntry } from '../store/store.ts';
import { leafData } from './leaf.ts';

/** A tlog-tiles entry bundle: each leaf's bytes prefixed by their length, a big-endian uint16. */
export function entryBundle(entries: readonly ChangeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = leafData(e);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(data.length);
    parts.push(len, data);
  }
  return Buffer.concat(parts);
}
