import { contentDigest } from './content-digest.ts';
import type { SignMode } from './config.ts';
import { isBaseSafe, signatureBase, signatureParams, type Covered } from './signature-base.ts';
import type { SigningKeys } from './signing-keys.ts';

/** What an answer's signature covers: the response as written and the request it answers. */
export interface AnswerParts {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly location: string | undefined;
  readonly body: Buffer | string | undefined;
  readonly method: string;
  /** The request target as received: path (percent-encoding kept) and query with its "?". */
  readonly path: string;
  readonly query: string;
}

/** The three header fields a signed answer carries. */
export interface AnswerSignature {
  readonly contentDigest: string;
  readonly signatureInput: string;
  readonly signature: string;
  readonly kid: string;
}

/** The signature's label in Signature-Input / Signature, and its `tag` parameter (RFC 9421 §2.3). */
export const SIGNATURE_LABEL = 'idnode';
export const SIGNATURE_TAG = 'idnode';

/**
 * Signs resolution answers with the node's current key (ADR 0011). Covered, in this order:
 * `@status`, `content-type` and `location` when present, `content-digest`, then the request's
 * `@method`, `@path` and `@query` (`;req`, RFC 9421 §2.4). Not `@authority` / `@scheme` /
 * `@target-uri`: a TLS-terminating proxy or a load balancer changes what the node sees of them,
 * while the path and query are what the client asked and reach the node unchanged.
 */
export class AnswerSigner {
  #keys: SigningKeys;
  readonly mode: SignMode;
  readonly #now: () => number;

  constructor(keys: SigningKeys, mode: SignMode, now: () => number = Date.now) {
    this.#keys = keys;
    this.mode = mode;
    this.#now = now;
  }

  get keys(): SigningKeys {
    return this.#keys;
  }

  /** A rotated key file, read again (key-watch.ts): answers signed from now on use its current key. */
  useKeys(keys: SigningKeys): void {
    this.#keys = keys;
  }

  /** Whether this request's answer is signed: always, or when it carries Accept-Signature. */
  wants(acceptSignature: string | string[] | undefined): boolean {
    return this.mode === 'always' || (this.mode === 'requested' && acceptSignature !== undefined);
  }

  /** The signature fields, or undefined when a value cannot go into a signature base (non-ASCII). */
  sign(a: AnswerParts): AnswerSignature | undefined {
    const digest = contentDigest(a.body);
    const covered: Covered[] = [{ name: '@status', value: String(a.status) }];
    if (a.contentType !== undefined) covered.push({ name: 'content-type', value: a.contentType.trim() });
    if (a.location !== undefined) covered.push({ name: 'location', value: a.location.trim() });
    covered.push(
      { name: 'content-digest', value: digest },
      { name: '@method', req: true, value: a.method },
      { name: '@path', req: true, value: a.path === '' ? '/' : a.path },
      { name: '@query', req: true, value: a.query === '' ? '?' : a.query },
    );
    if (!covered.every((c) => isBaseSafe(c.value))) return undefined;
    const keys = this.#keys;
    const kid = keys.current.kid;
    const created = Math.floor(this.#now() / 1000);
    const params = signatureParams(covered, { created, keyid: kid, alg: 'ed25519', tag: SIGNATURE_TAG });
    const signature = keys.sign(Buffer.from(signatureBase(covered, params), 'ascii'));
    return {
      contentDigest: digest,
      signatureInput: `${SIGNATURE_LABEL}=${params}`,
      signature: `${SIGNATURE_LABEL}=:${signature.toString('base64')}:`,
      kid,
    };
  }
}
