import { readFileSync } from 'node:fs';
import { SIGNATURE_LABEL } from '../../signing/answer-signer.ts';
import { CliError, EXIT, usage } from '../exit-codes.ts';
import type { NodeClient } from '../http-client.ts';
import { verifyAnswerSignature, type Jwks } from '../verify-signature.ts';
import { fail, type Check } from './verify-check.ts';
import type { AnswerKey, SeenLog } from './verify-state.ts';

/**
 * The RFC 9421 answer signature of `idnode verify` (ADR 0011, 0012): checked against keys pinned
 * with --jwks, else the keys remembered for this log, else the node's /.well-known/jwks.json on
 * first use (then remembered, like the log key). The node signs on request: the command asks.
 */
export const ACCEPT_SIGNATURE =
  `${SIGNATURE_LABEL}=("@status" "content-type" "content-digest" "@method";req "@path";req "@query";req)` +
  `;alg="ed25519";tag="${SIGNATURE_LABEL}"`;

/**
 * What the signature must cover besides content-digest (verifyAnswerSignature requires that):
 * the status, and the question (method, path, query), so an answer signed for another
 * identifier or another query cannot be replayed for this one.
 */
const REQUIRED = ['"@status"', '"@method";req', '"@path";req', '"@query";req'];

export interface AnswerOptions {
  readonly jwks?: string;
  readonly allowUnsigned?: boolean;
}

export interface FetchedAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
  readonly request: { readonly method: string; readonly url: string };
}

const JWKS_SHAPE = '{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"...","x":"..."}]}';

/** The Ed25519 keys of a JWK Set, as kept in the state file. */
function ed25519Keys(jwks: unknown): AnswerKey[] | undefined {
  const keys: unknown = (jwks as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) return undefined;
  const out: AnswerKey[] = [];
  for (const k of keys as Partial<Jwks['keys'][number]>[]) {
    if (k.kty === 'OKP' && k.crv === 'Ed25519' && typeof k.kid === 'string' && typeof k.x === 'string')
      out.push({ kid: k.kid, x: k.x });
  }
  return out;
}

function pinnedKeys(file: string): AnswerKey[] {
  let keys: AnswerKey[] | undefined;
  try {
    keys = ed25519Keys(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw usage('CLI_ERR_VERIFY_BAD_KEY', `cannot read --jwks ${file}: ${(e as Error).message}`);
  }
  if (keys === undefined || keys.length === 0)
    throw usage('CLI_ERR_VERIFY_BAD_KEY', `--jwks ${file} holds no Ed25519 key; it must be a JWK Set ${JWKS_SHAPE}`);
  return keys;
}

async function trustedKeys(
  client: NodeClient,
  o: AnswerOptions,
  seen: SeenLog | undefined,
): Promise<{ keys: AnswerKey[]; how: string }> {
  if (o.jwks !== undefined) return { keys: pinnedKeys(o.jwks), how: 'given' };
  if (seen?.answerKeys !== undefined) return { keys: [...seen.answerKeys], how: 'remembered' };
  const res = await client.request('GET', '/.well-known/jwks.json');
  const keys = res.ok ? ed25519Keys(await res.json().catch(() => undefined)) : undefined;
  if (keys === undefined || keys.length === 0)
    throw new CliError(
      EXIT.FAILED,
      'CLI_ERR_VERIFY_NO_KEY',
      `the node publishes no answer keys (/.well-known/jwks.json answered ${String(res.status)}); pass --jwks <file>`,
    );
  return { keys, how: 'trusted on first use (pin them with --jwks)' };
}

const unknownKeyMessage = (reason: string, keys: readonly AnswerKey[], how: string): string =>
  `${reason}; the keys ${how}: ${keys.map((k) => k.kid).join(', ')}. ` +
  (how === 'remembered'
    ? 'If the node rotated its key (idnode keys rotate-signing), confirm the new key with its operator and pass --jwks <file>'
    : 'Check --jwks');

/**
 * The answer-signature check, and the keys to remember for this log. Unsigned answers fail
 * unless --allow-unsigned: a signature stripped on the way must not pass as "not signed".
 */
export async function answerSignatureCheck(
  client: NodeClient,
  o: AnswerOptions,
  seen: SeenLog | undefined,
  answer: FetchedAnswer,
): Promise<{ check: Check; keys: readonly AnswerKey[] | undefined }> {
  if (answer.headers.get('signature') === null && answer.headers.get('signature-input') === null) {
    if (o.allowUnsigned === true)
      return { check: { check: 'answer-signature', status: 'skipped', detail: 'not signed' }, keys: seen?.answerKeys };
    throw fail(
      'CLI_ERR_VERIFY_UNSIGNED',
      'the answer carries no RFC 9421 signature (the node runs IDNODE_SIGN_ANSWERS=off, or something on the way removed it); pass --allow-unsigned to check the log proof alone',
      [],
    );
  }
  const { keys, how } = await trustedKeys(client, o, seen);
  const jwks: Jwks = { keys: keys.map((k) => ({ kty: 'OKP', crv: 'Ed25519', ...k })) };
  const r = verifyAnswerSignature(answer, jwks, SIGNATURE_LABEL);
  if (!r.ok) {
    if (r.code === 'unknown-key') throw fail('CLI_ERR_VERIFY_ANSWER_KEY', unknownKeyMessage(r.reason, keys, how), []);
    throw fail('CLI_ERR_VERIFY_ANSWER_SIGNATURE', `the answer's signature fails (${r.code}): ${r.reason}`, []);
  }
  const missing = REQUIRED.filter((c) => !r.covered.includes(c));
  if (missing.length > 0)
    throw fail(
      'CLI_ERR_VERIFY_ANSWER_SIGNATURE',
      `the answer's signature does not cover ${missing.join(', ')}: it does not bind the answer to this request`,
      [],
    );
  return { check: { check: 'answer-signature', status: 'ok', detail: `key ${r.kid} (${how})` }, keys };
}
