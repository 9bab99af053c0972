import { describe, expect, it } from 'vitest';
import { ed25519Cosigner } from '../../src/tlog/cosignature.ts';
import { ed25519FromSeed } from '../../src/tlog/ed25519.ts';
import * as server from '../../src/tlog/merkle.ts';
import { ed25519NoteSigner, parseVkey, signNote } from '../../src/tlog/note.ts';
import { encodeTileIndex, parseTilePath } from '../../src/tlog/tile-path.ts';
import * as v from './verifier/merkle.ts';
import { readVkey, requireCosignature, requireSignature } from './verifier/note.ts';
import { nPath } from './verifier/tiles.ts';

// verifiable_logs.md §1.5: transparency-dev/merkle testonly leaves (the CT suite's vectors).
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(
  (h) => Buffer.from(h, 'hex'),
);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// The note's abbreviated proof hashes: first 8 and last 4 hex digits.
const short = (h: Buffer): string => `${h.toString('hex').slice(0, 8)}…${h.toString('hex').slice(-4)}`;
const PROOFS: [string, number, number, string[]][] = [
  ['inclusion', 0, 8, ['96a296d2…cfc7', '5f083f0a…031e', '6b47aaf2…f6e4']],
  ['inclusion', 5, 8, ['bc1a0643…9e6b', 'ca854ea1…0ae0', 'd37ee418…14b7']],
  ['inclusion', 6, 7, ['0ebc5d34…ef6a', 'd37ee418…14b7']],
  ['consistency', 2, 8, ['5f083f0a…031e', '6b47aaf2…f6e4']],
  ['consistency', 3, 7, ['0298d122…7fe7', '07506a85…87e7', 'fac54203…c125', '837dbb15…2d0e']],
  ['consistency', 4, 7, ['837dbb15…2d0e']],
  ['consistency', 6, 7, ['0ebc5d34…ef6a', 'b08693ec…1a5f', 'd37ee418…14b7']],
];

/** The server's tree code over an in-memory list: complete-subtree hashes computed by the verifier. */
function readerOver(leaves: readonly Buffer[]): server.HashReader {
  const hashes = leaves.map(server.leafHash);
  return (height, index) => v.mth(hashes.slice(index * 2 ** height, (index + 1) * 2 ** height));
}

describe('RFC 6962 vectors (verifiable_logs.md §1.5), server code and independent verifier', () => {
  it('roots of sizes 0..8', () => {
    for (let n = 0; n <= 8; n++) {
      expect(server.treeHash(n, readerOver(LEAVES.slice(0, n))).toString('hex')).toBe(ROOTS[n]);
      expect(v.mth(LEAVES.slice(0, n).map(v.hashLeaf)).toString('hex')).toBe(ROOTS[n]);
    }
  });
  it('the published inclusion and consistency proofs', () => {
    for (const [kind, m, n, want] of PROOFS) {
      const leaves = LEAVES.slice(0, n);
      const mine =
        kind === 'inclusion'
          ? server.inclusionProof(m, n, readerOver(leaves))
          : server.consistencyProof(m, n, readerOver(leaves));
      const theirs =
        kind === 'inclusion' ? v.auditPath(m, leaves.map(v.hashLeaf)) : v.consistency(m, leaves.map(v.hashLeaf));
      expect(mine.map(short), `${kind} ${m} ${n}`).toEqual(want);
      expect(theirs.map(short), `${kind} ${m} ${n}`).toEqual(want);
    }
  });
  it('every leaf of every size 1..40 (ragged right edges), both directions', () => {
    const leaves = Array.from({ length: 40 }, (_, i) => Buffer.from(`leaf ${i}`));
    const hashes = leaves.map(v.hashLeaf);
    for (let n = 1; n <= 40; n++) {
      const root = v.mth(hashes.slice(0, n));
      const read = readerOver(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const proof = server.inclusionProof(i, n, read);
        expect(v.checkInclusion(i, n, hashes[i]!, proof, root)).toBe(true);
        expect(server.verifyInclusion(i, n, hashes[i]!, v.auditPath(i, hashes.slice(0, n)), root)).toBe(true);
        expect(server.verifyInclusion(i, n, hashes[(i + 1) % n]!, proof, root)).toBe(n === 1);
      }
      for (let m = 0; m <= n; m++) {
        const old = v.mth(hashes.slice(0, m));
        const proof = server.consistencyProof(m, n, read);
        expect(v.checkConsistency(m, n, old, root, proof), `${m} -> ${n}`).toBe(true);
        expect(server.verifyConsistency(m, n, old, root, v.consistency(m, hashes.slice(0, n)))).toBe(true);
        if (m > 0 && m < n) expect(server.verifyConsistency(m, n, root, root, proof)).toBe(false);
      }
    }
  });
});

describe('tile paths (tlog-tiles)', () => {
  it('encodes N in x-prefixed groups and parses back only the one spelling', () => {
    for (const [n, p] of [
      [0, '000'],
      [5, '005'],
      [1000, 'x001/000'],
      [1234067, 'x001/x234/067'],
    ] as const) {
      expect(encodeTileIndex(n)).toBe(p);
      expect(nPath(n)).toBe(p);
      expect(parseTilePath(`0/${p}`)).toEqual({ level: 0, index: n, width: 256 });
    }
    expect(parseTilePath('entries/x001/000.p/17')).toEqual({ level: 'entries', index: 1000, width: 17 });
    for (const bad of ['0/x000/005', '0/5', '0/005.p/256', '0/005.p/0', '01/005', '0/005.p/07', '64/000', 'x/000'])
      expect(parseTilePath(bad), bad).toBeUndefined();
  });
});

const TEST1 = Buffer.from('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 'hex');
const TEST2 = Buffer.from('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', 'hex');
const BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';

describe('signed notes and cosignatures (verifiable_logs.md §2, §6)', () => {
  it('the C2SP signed-note example verifies with its vkey', () => {
    const note =
      'This is an example message.\n\n\u2014 example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
    const vkey = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
    expect(parseVkey(vkey)?.name).toBe('example.com/foo');
    expect(requireSignature(note, readVkey(vkey))).toBe('This is an example message.\n');
  });
  it('reproduces the checkpoint and cosignature vector byte for byte (RFC 8032 test keys)', () => {
    const log = ed25519NoteSigner('example.com/behind-the-sofa', ed25519FromSeed(TEST1));
    const witness = ed25519Cosigner('witness.example/w1', ed25519FromSeed(TEST2));
    expect(log.vkey).toBe('example.com/behind-the-sofa+f8fa5254+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea');
    expect(witness.vkey).toBe('witness.example/w1+04d2d833+BD1AF8PoQ4lakrcKp00bfrycmCzPLsSWjMDNVfEq9GYM');
    const note = signNote(BODY, log) + witness.cosign(BODY, 1679315147);
    expect(note).toBe(
      `${BODY}\n\u2014 example.com/behind-the-sofa +PpSVFNUsAicB1wXCuc36HrmzCfBx1ATQpTulWd9U006OEpyCvIVj2pM8CIzKlzXWcwxIO/VAQzkCO8DZUY5tlFX6QQ=\n` +
        '\u2014 witness.example/w1 BNLYMwAAAABkGFDLU5VmHzFyg1moo3QxI1Ge6wHfwylQEoWhcwJH/SvRJW3LjvpU4PIuE1VI/0HWdoZ4oGL67Rl5yx89mAducLUyBQ==\n',
    );
    expect(requireCosignature(note, readVkey(witness.vkey))).toBe(1679315147);
    expect(() => requireSignature(note, readVkey(witness.vkey.replace('+BD1', '+AT1')))).toThrow();
  });
});
