import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AnswerSigner } from '../../src/signing/answer-signer.ts';
import { contentDigest } from '../../src/signing/content-digest.ts';
import { decodeHandlePublicKey, encodeHandlePublicKey } from '../../src/signing/handle-pubkey.ts';
import { jwkThumbprint } from '../../src/signing/jwk.ts';
import { SigningKeys } from '../../src/signing/signing-keys.ts';
import { contentDigestMatches, keysOf, signatureBase, verifySignature, type FieldGetter } from './verifier/verifier.ts';

/* Published test vectors through the independent verifier (RFC 9421 B.2.6) and the node's pieces (RFC 9530, RFC 8037/7638). */

const fields =
  (h: Record<string, string>): FieldGetter =>
  (name) =>
    h[name];

/** RFC 9421 B.1.4 test-key-ed25519, public half. */
const TEST_KEY = createPublicKey(
  '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=\n-----END PUBLIC KEY-----\n',
);

/** RFC 9421 B.2 test-request with B.2.6's signature fields. */
const B26_REQUEST = {
  method: 'POST',
  url: 'https://example.com/foo?param=Value&Pet=dog',
  field: fields({
    date: 'Tue, 20 Apr 2021 02:07:55 GMT',
    'content-type': 'application/json',
    'content-digest':
      'sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:',
    'content-length': '18',
    'signature-input':
      'sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
    signature: 'sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:',
  }),
};

describe('RFC 9421 B.2.6 (ed25519) through the independent verifier', () => {
  it('rebuilds the published signature base byte for byte', () => {
    const { base } = signatureBase(
      { kind: 'request', request: B26_REQUEST },
      B26_REQUEST.field('signature-input')!,
      'sig-b26',
    );
    expect(base).toBe(
      [
        '"date": Tue, 20 Apr 2021 02:07:55 GMT',
        '"@method": POST',
        '"@path": /foo',
        '"@authority": example.com',
        '"content-type": application/json',
        '"content-length": 18',
        '"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"',
      ].join('\n'),
    );
    expect(Buffer.byteLength(base)).toBe(284);
  });

  it('verifies the published signature, and refuses it over a changed request', () => {
    const keyFor = (kid: string) => (kid === 'test-key-ed25519' ? TEST_KEY : undefined);
    expect(verifySignature({ kind: 'request', request: B26_REQUEST }, keyFor)).toMatchObject({
      ok: true,
      created: 1618884473,
    });
    const moved = { ...B26_REQUEST, url: 'https://example.com/bar?param=Value&Pet=dog' };
    expect(verifySignature({ kind: 'request', request: moved }, keyFor)).toMatchObject({
      ok: false,
      reason: 'bad signature',
    });
  });
});

describe('the node signing pieces against published values', () => {
  it('Content-Digest sha-256 of RFC 9530 Appendix D and B.2 (empty)', () => {
    expect(contentDigest(Buffer.from('{"hello": "world"}'))).toBe(
      'sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:',
    );
    expect(contentDigest(undefined)).toBe('sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:');
  });

  it('the kid is the RFC 7638 thumbprint (RFC 8037 A.3 example key)', () => {
    expect(jwkThumbprint('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo')).toBe(
      'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k',
    );
  });

  it('RFC 9421 B.1.4 seed gives the published public key and the same HS_PUBKEY key back', () => {
    const seed = Buffer.from('9f8362f87a484a954e6e740c5b4c0e84229139a20aa8ab56ff66586f6a7d29c5', 'hex');
    const keys = SigningKeys.of({ current: seed, previous: [] });
    expect(keys.current.jwk.x).toBe('JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs');
    expect(decodeHandlePublicKey(encodeHandlePublicKey(keys.current.publicKey))).toEqual(keys.current.publicKey);
    expect(JSON.stringify(keys)).not.toContain(seed.toString('base64'));
  });

  it('an answer the node signs verifies with the independent verifier, and a changed one does not', () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url');
    const keys = SigningKeys.of({ current: seed, previous: [] });
    const signer = new AnswerSigner(keys, 'always', () => 1_700_000_000_000);
    const body = Buffer.from('{"responseCode":1}');
    const s = signer.sign({
      status: 200,
      contentType: 'application/json; charset=utf-8',
      location: undefined,
      body,
      method: 'GET',
      path: '/api/handles/88.100.5/A%20B',
      query: '',
    })!;
    const request = { method: 'GET', url: 'http://n.example/api/handles/88.100.5/A%20B', field: fields({}) };
    const head = { 'content-type': 'application/json; charset=utf-8', 'content-digest': s.contentDigest };
    const response = (h: Record<string, string>, status = 200) => ({
      kind: 'response' as const,
      status,
      request,
      field: fields({ ...h, 'signature-input': s.signatureInput, signature: s.signature }),
    });
    const jwks = keysOf(keys.jwks());
    expect(verifySignature(response(head), (k) => jwks.get(k))).toMatchObject({
      ok: true,
      created: 1_700_000_000,
      tag: 'idnode',
    });
    expect(contentDigestMatches(s.contentDigest, body)).toBe(true);
    expect(verifySignature(response(head, 404), (k) => jwks.get(k))).toMatchObject({ ok: false });
    expect(verifySignature(response({ ...head, 'content-type': 'text/html' }), (k) => jwks.get(k))).toMatchObject({
      ok: false,
    });
  });
});
