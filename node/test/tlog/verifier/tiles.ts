/** An independent tlog-tiles client for the tests: fetches tiles, checks them, rebuilds leaf hashes. */
import { mth } from './merkle.ts';

export function nPath(n: number): string {
  const s = String(n).padStart(3 * Math.max(1, Math.ceil(String(n).length / 3)), '0');
  const parts: string[] = [];
  for (let i = 0; i < s.length; i += 3) parts.push(s.slice(i, i + 3));
  return parts.map((p, i) => (i === parts.length - 1 ? p : `x${p}`)).join('/');
}

export function tileUrl(base: string, level: number | 'entries', n: number, w: number): string {
  return `${base}/log/tile/${level}/${nPath(n)}${w === 256 ? '' : `.p/${w}`}`;
}

/** GETs are idempotent: one retry when a kept-alive connection was closed under the request (ECONNRESET). */
async function fetchOnceMore(url: string): Promise<Response> {
  try {
    return await fetch(url);
  } catch {
    return fetch(url);
  }
}

async function get(url: string): Promise<Buffer> {
  const res = await fetchOnceMore(url);
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

const split = (b: Buffer): Buffer[] => Array.from({ length: b.length / 32 }, (_, i) => b.subarray(i * 32, i * 32 + 32));

/**
 * Every leaf hash of a tree of `size`, from its level-0 tiles (full ones and the final partial),
 * each full tile checked against the level-1 tile that names its root.
 */
export async function leafHashes(base: string, size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let n = 0; n * 256 < size; n++) {
    const w = Math.min(256, size - n * 256);
    out.push(...split(await get(tileUrl(base, 0, n, w))));
  }
  const full = Math.floor(size / 256);
  if (full > 0) {
    const level1: Buffer[] = [];
    for (let n = 0; n * 256 < full; n++)
      level1.push(...split(await get(tileUrl(base, 1, n, Math.min(256, full - n * 256)))));
    for (let t = 0; t < full; t++) {
      if (!mth(out.slice(t * 256, t * 256 + 256)).equals(level1[t]!)) throw new Error(`level-1 hash ${t} disagrees`);
    }
  }
  return out;
}

/** The entries of bundle n (width w). */
export async function entries(base: string, n: number, w: number): Promise<Buffer[]> {
  const b = await get(tileUrl(base, 'entries', n, w));
  const out: Buffer[] = [];
  for (let at = 0; at < b.length;) {
    const len = b.readUInt16BE(at);
    out.push(b.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}
