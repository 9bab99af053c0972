import { createHash, hash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 §2.1 Merkle tree hashing over SHA-256. The tree's shape depends only on its
 * size: the left subtree of n > 1 leaves holds the largest power of two strictly below n.
 */

export const HASH_SIZE = 32;
export type Hash = Buffer;

const LEAF = Buffer.from([0x00]);
const NODE = Buffer.from([0x01]);

export const EMPTY_ROOT: Hash = createHash('sha256').digest();

export function leafHash(data: Uint8Array): Hash {
  return createHash('sha256').update(LEAF).update(data).digest();
}

/**
 * 0x01 ‖ left ‖ right, hashed in one call (crypto.hash: no Hash object per node), output as a
 * binary string (about three times faster than a Buffer) written into place. The scratch buffer
 * is safe to share: the copy and the hash run synchronously.
 */
const scratch = Buffer.alloc(1 + 2 * HASH_SIZE);
scratch[0] = 0x01;

/** The node hash of the two hashes at `pairs[at..at+64)`, written to `out[offset..offset+32)`. */
export function writeNodeHash(pairs: Buffer, at: number, out: Buffer, offset: number): void {
  pairs.copy(scratch, 1, at, at + 2 * HASH_SIZE);
  out.write(hash('sha256', scratch, 'binary'), offset, 'latin1');
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE)
    return createHash('sha256').update(NODE).update(left).update(right).digest();
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_SIZE);
  return Buffer.from(hash('sha256', scratch, 'binary'), 'latin1');
}

/**
 * The hash of a complete subtree: `height` levels above the leaves, the `index`-th such subtree
 * from the left (leaves index·2^height .. (index+1)·2^height - 1). Only complete subtrees are asked.
 */
export type HashReader = (height: number, index: number) => Hash;

/** Largest power of two strictly below n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0 && n <= 2 ** 31;
const log2 = (n: number): number => Math.round(Math.log2(n));

/** MTH(D[lo:hi]) from complete-subtree hashes (RFC 6962 §2.1). */
export function rangeHash(lo: number, hi: number, read: HashReader): Hash {
  const n = hi - lo;
  if (n === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n) && lo % n === 0) return read(log2(n), lo / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(lo, lo + k, read), rangeHash(lo + k, hi, read));
}

export const treeHash = (size: number, read: HashReader): Hash => rangeHash(0, size, read);

/** PATH(m, D[lo:hi]) of RFC 6962 §2.1.1: from the leaf's sibling up to the root's child. */
function path(m: number, lo: number, hi: number, read: HashReader): Hash[] {
  const n = hi - lo;
  if (n <= 1) return [];
  const k = splitPoint(n);
  if (m < k) return [...path(m, lo, lo + k, read), rangeHash(lo + k, hi, read)];
  return [...path(m - k, lo + k, hi, read), rangeHash(lo, lo + k, read)];
}

export function inclusionProof(index: number, size: number, read: HashReader): Hash[] {
  if (!(index >= 0 && index < size)) throw new RangeError(`leaf ${index} is not in a tree of ${size}`);
  return path(index, 0, size, read);
}

/** SUBPROOF(m, D[lo:hi], b) of RFC 6962 §2.1.2. */
function subproof(m: number, lo: number, hi: number, whole: boolean, read: HashReader): Hash[] {
  const n = hi - lo;
  if (m === n) return whole ? [] : [rangeHash(lo, hi, read)];
  const k = splitPoint(n);
  if (m <= k) return [...subproof(m, lo, lo + k, whole, read), rangeHash(lo + k, hi, read)];
  return [...subproof(m - k, lo + k, hi, false, read), rangeHash(lo, lo + k, read)];
}

/** The consistency proof from size m to size n (empty for m = 0 or m = n, as tlog-witness wants). */
export function consistencyProof(m: number, n: number, read: HashReader): Hash[] {
  if (!(m >= 0 && m <= n)) throw new RangeError(`no consistency proof from ${m} to ${n}`);
  if (m === 0 || m === n) return [];
  return subproof(m, 0, n, true, read);
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or undefined when the proof cannot fit. */
export function rootFromInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[]): Hash | undefined {
  if (index >= size) return undefined;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return undefined;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
    } else r = nodeHash(r, p);
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return sn === 0 ? r : undefined;
}

export function verifyInclusion(index: number, size: number, leaf: Hash, proof: readonly Hash[], root: Hash): boolean {
  const got = rootFromInclusion(index, size, leaf, proof);
  return got !== undefined && got.equals(root);
}

/** RFC 9162 §2.1.4.2, with the trivial cases tlog-witness needs (old size 0, equal sizes). */
export function verifyConsistency(m: number, n: number, oldRoot: Hash, newRoot: Hash, proof: readonly Hash[]): boolean {
  if (m > n) return false;
  if (m === 0) return proof.length === 0;
  if (m === n) return proof.length === 0 && oldRoot.equals(newRoot);
  if (proof.length === 0) return false;
  const hashes = isPowerOfTwo(m) ? [oldRoot, ...proof] : [...proof];
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  let fr = hashes[0]!;
  let sr = fr;
  for (const c of hashes.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
    } else sr = nodeHash(sr, c);
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return fr.equals(oldRoot) && sr.equals(newRoot) && sn === 0;
}
