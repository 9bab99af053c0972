import { describe, expect, it } from 'vitest';
import {
  ANSWER,
  newNonce,
  NONCE_BYTES,
  openSecret,
  SecretKeyring,
  verifyChallengeAnswer,
} from '../../src/auth/handle-challenge/index.ts';
import { hashSecret } from '../../src/auth/secret-hash.ts';
import { isIdnError } from '../../src/errors/idn-error.ts';
import { sealedSecretProblem } from '../../src/records/sealed-secret.ts';

/*
 * Vectors computed with the openssl CLI (OpenSSL 3.0), never with the code under test:
 *   S=test-secret-0123456789  N=00..0f (16 bytes)  D=a0..b3 (20 bytes)  SALT=5a x 16
 *   echo "$SHEX$N$D$SHEX" | xxd -r -p | openssl dgst -md5|-sha1|-sha256 -binary
 *   echo "$N$D" | xxd -r -p | openssl dgst -sha1|-sha256 -mac HMAC -macopt hexkey:$SHEX -binary
 *   openssl kdf -keylen 20 -kdfopt digest:SHA1 -kdfopt hexpass:$SHEX -kdfopt hexsalt:$SALT -kdfopt iter:10000 PBKDF2
 *   echo "$N$D" | xxd -r -p | openssl dgst -sha1 -mac HMAC -macopt hexkey:<that key> -binary
 */
const secret = Buffer.from('test-secret-0123456789');
const nonce = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const digest = Buffer.from('a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3', 'hex');
const SALT = Buffer.alloc(16, 0x5a);
const V = {
  md5: '5dc7bb535689d6afe5a1b6cedbda05b1',
  sha1: '4956e2b16d0eb14655da7229d30a16a8c787321b',
  sha256: 'ea341b74afcb37e50263e5847c83145b2c2cc5cf552043e6531fdeabdb09f5a2',
  hmacSha1: 'd3d7f360bf9d21dd5c728eb58ea48107220e24bd',
  hmacSha256: '4940eae66461863f09c05a3c30573e26565c55119cf1b35a22502fe84580392a',
  pbkdf2Mac: '203bf6136dc9b040dc65d8b58544aaea38f95568',
};

const typed = (code: number, hex: string): Buffer => Buffer.concat([Buffer.from([code]), Buffer.from(hex, 'hex')]);
const int4 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
/** 0x22 as handle_protocol.md §5.2 lays it out: saltLen salt iterations keyBits macLen mac. */
const pbkdf2Answer = (mac: string, o: { iterations?: number; keyBits?: number; trailing?: boolean } = {}): Buffer =>
  Buffer.concat([
    Buffer.from([0x22]),
    int4(SALT.length),
    SALT,
    int4(o.iterations ?? 10_000),
    int4(o.keyBits ?? 160),
    int4(20),
    Buffer.from(mac, 'hex'),
    o.trailing ? Buffer.from([0]) : Buffer.alloc(0),
  ]);

const verify = (answer: Buffer, s = secret) => verifyChallengeAnswer({ secret: s, nonce, digest, answer });

describe('Handle secret-key challenge answers (handle_protocol.md §5.2)', () => {
  it.each([
    ['0x01 MD5 sandwich', typed(0x01, V.md5)],
    ['0x02 SHA-1 sandwich', typed(0x02, V.sha1)],
    ['0x03 SHA-256 sandwich', typed(0x03, V.sha256)],
    ['0x12 HMAC-SHA1', typed(0x12, V.hmacSha1)],
    ['0x13 HMAC-SHA256', typed(0x13, V.hmacSha256)],
    ['0x22 PBKDF2-HMAC-SHA1 (10,000 iterations, 160 bits)', pbkdf2Answer(V.pbkdf2Mac)],
    ['legacy < 2.1: the MD5 sandwich alone', Buffer.from(V.md5, 'hex')],
  ])('accepts %s', async (_name, answer) => {
    expect(await verify(answer)).toBe(true);
  });

  it.each([
    ['0x02 with the MD5 bytes', typed(0x02, V.md5)],
    ['0x03 with the SHA-1 bytes', typed(0x03, V.sha1)],
    ['an unknown algorithm byte', typed(0x07, V.sha1)],
    ['0x22 with other iterations', pbkdf2Answer(V.pbkdf2Mac, { iterations: 9_999 })],
    ['0x22 with trailing bytes', pbkdf2Answer(V.pbkdf2Mac, { trailing: true })],
    ['0x22 asking for 10^6 iterations (refused unverified)', pbkdf2Answer(V.pbkdf2Mac, { iterations: 1_000_000 })],
    ['0x22 with a key length not in bytes', pbkdf2Answer(V.pbkdf2Mac, { keyBits: 161 })],
    ['0x22 truncated', pbkdf2Answer(V.pbkdf2Mac).subarray(0, 20)],
    ['an empty answer', Buffer.alloc(0)],
    ['one byte', Buffer.from([0x01])],
  ])('refuses %s', async (_name, answer) => {
    expect(await verify(answer)).toBe(false);
  });

  it('refuses every form for another secret', async () => {
    const other = Buffer.from('test-secret-0123456788');
    for (const a of [typed(0x01, V.md5), typed(0x03, V.sha256), typed(0x13, V.hmacSha256), pbkdf2Answer(V.pbkdf2Mac)]) {
      expect(await verify(a, other)).toBe(false);
    }
  });

  it('names the algorithm bytes as CNRI does', () => {
    expect(ANSWER).toEqual({ MD5: 1, SHA1: 2, SHA256: 3, HMAC_SHA1: 0x12, HMAC_SHA256: 0x13, PBKDF2_HMAC_SHA1: 0x22 });
  });

  it('gives 16-byte nonces, never the same twice', () => {
    const a = newNonce();
    expect(a).toHaveLength(NONCE_BYTES);
    expect(NONCE_BYTES).toBe(16);
    expect(newNonce().equals(a)).toBe(false);
  });
});

describe('sealed secrets (ADR 0002)', () => {
  const keyring = SecretKeyring.of(Buffer.alloc(32, 1));

  it('round-trips: a sealed secret opens to the same bytes, and is well formed as stored', () => {
    const sealed = keyring.seal('test-secret-0123456789');
    expect(sealedSecretProblem(sealed, 'sealed')).toBeUndefined();
    expect(JSON.stringify(sealed)).not.toContain('test-secret');
    expect(openSecret(keyring, { format: 'sealed', value: sealed }).toString()).toBe('test-secret-0123456789');
    // A fresh IV each time: sealing the same secret twice gives different ciphertexts.
    expect(keyring.seal('test-secret-0123456789').ct).not.toBe(sealed.ct);
  });

  it('opens what a rotated-out key sealed, and seals under the new one', () => {
    const old = SecretKeyring.of(Buffer.alloc(32, 1));
    const rotated = SecretKeyring.of(Buffer.alloc(32, 2), [Buffer.alloc(32, 1)]);
    const sealed = old.seal('rotate-me-0123456');
    expect(rotated.open(sealed).toString()).toBe('rotate-me-0123456');
    expect(rotated.isStale(sealed)).toBe(true);
    expect(rotated.isStale(rotated.seal('x'))).toBe(false);
  });

  const unusable = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (isIdnError(e)) return `${e.code}: ${e.message}`;
      throw e;
    }
    return 'opened';
  };

  it('refuses, with a message naming the fix, what it cannot open', async () => {
    const foreign = SecretKeyring.of(Buffer.alloc(32, 9)).seal('someone-elses-secret');
    expect(unusable(() => openSecret(keyring, { format: 'sealed', value: foreign }))).toMatch(
      /^IDN_ERR_SECRET_UNUSABLE: .*sealed by another node/,
    );
    const sealed = keyring.seal('test-secret-0123456789');
    const flipped = Buffer.from(sealed.ct, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    const altered = { ...sealed, ct: flipped.toString('base64') };
    expect(unusable(() => openSecret(keyring, { format: 'sealed', value: altered }))).toMatch(
      /^IDN_ERR_SECRET_UNUSABLE: .*does not authenticate/,
    );
    const legacy = { format: 'scrypt', value: await hashSecret('test-secret-0123456789') };
    expect(unusable(() => openSecret(keyring, legacy))).toMatch(/^IDN_ERR_SECRET_UNUSABLE: .*scrypt.*HTTP Basic/);
  });

  it.each([
    ['a missing tag', (s: Record<string, unknown>) => ({ ...s, tag: undefined })],
    ['an extra field', (s: Record<string, unknown>) => ({ ...s, secret: 'x' })],
    ['another alg', (s: Record<string, unknown>) => ({ ...s, alg: 'A128GCM' })],
    ['an 8-byte iv', (s: Record<string, unknown>) => ({ ...s, iv: Buffer.alloc(8).toString('base64') })],
    ['a tag that is not base64', (s: Record<string, unknown>) => ({ ...s, tag: 'not base64!' })],
    ['an empty ciphertext', (s: Record<string, unknown>) => ({ ...s, ct: '' })],
    ['a kid with a space', (s: Record<string, unknown>) => ({ ...s, kid: 'a kid with space' })],
  ])('calls a sealed value with %s malformed', (_name, change) => {
    const bad = JSON.parse(JSON.stringify(change({ ...keyring.seal('test-secret-0123456789') }))) as unknown;
    expect(sealedSecretProblem(bad, 'sealed')).toEqual(expect.any(String));
  });
});
