/**
 * An independent RFC 6962 / RFC 9162 implementation for the tests: written from the RFC text,
 * over plain arrays of leaf hashes, sharing nothing with node/src/tlog.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
export const hashLeaf = (entry: Uint8Array): Buffer => sha256(Buffer.of(0), entry);
export const hashChildren = (l: Uint8Array, r: Uint8Array): Buffer => sha256(Buffer.of(1), l, r);

/** k with k < n <= 2k. */
function largestPow2Below(n: number): number {
  return 2 ** Math.floor(Math.log2(n - 1));
}

/** MTH(D[n]) over leaf hashes (RFC 9162 §2.1.1), with a stack as §2.1.2 suggests for all entries. */
export function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  const stack: { h: Buffer; size: number }[] = [];
  for (const leaf of leaves) {
    stack.push({ h: leaf, size: 1 });
    while (stack.length >= 2 && stack[stack.length - 1]!.size === stack[stack.length - 2]!.size) {
      const r = stack.pop()!;
      const l = stack.pop()!;
      stack.push({ h: hashChildren(l.h, r.h), size: l.size * 2 });
    }
  }
  let acc = stack.pop()!.h;
  while (stack.length > 0) acc = hashChildren(stack.pop()!.h, acc);
  return acc;
}

/** PATH(m, D[n]) (RFC 6962 §2.1.1). */
export function auditPath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const k = largestPow2Below(leaves.length);
  return m < k
    ? [...auditPath(m, leaves.slice(0, k)), mth(leaves.slice(k))]
    : [...auditPath(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) (RFC 6962 §2.1.2). */
export function consistency(m: number, leaves: readonly Buffer[]): Buffer[] {
  const sub = (m: number, d: readonly Buffer[], b: boolean): Buffer[] => {
    if (m === d.length) return b ? [] : [mth(d)];
    const k = largestPow2Below(d.length);
    return m <= k
      ? [...sub(m, d.slice(0, k), b), mth(d.slice(k))]
      : [...sub(m - k, d.slice(k), false), mth(d.slice(0, k))];
  };
  return m === 0 || m === leaves.length ? [] : sub(m, leaves, true);
}

/** RFC 9162 §2.1.3.2. */
export function checkInclusion(
  index: number,
  size: number,
  leaf: Buffer,
  path: readonly Buffer[],
  root: Buffer,
): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      r = hashChildren(p, r);
      while ((fn & 1) === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = hashChildren(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2 plus the trivial cases (0 -> n, n -> n). */
export function checkConsistency(m: number, n: number, r1: Buffer, r2: Buffer, proof: readonly Buffer[]): boolean {
  if (m > n) return false;
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && r1.equals(r2);
  if (proof.length === 0) return false;
  const p = Number.isInteger(Math.log2(m)) ? [r1, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while ((fn & 1) === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = p[0]!;
  let sr = p[0]!;
  for (const c of p.slice(1)) {
    if (sn === 0) return false;
    if ((fn & 1) === 1 || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while ((fn & 1) === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(r1) && sr.equals(r2) && sn === 0;
}

export function ed25519Ok(pub: Buffer, msg: Buffer, sig: Buffer): boolean {
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]);
  return sig.length === 64 && verify(null, msg, createPublicKey({ key: spki, format: 'der', type: 'spki' }), sig);
}
