import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RenderMemo } from '../../records/render-memo.ts';
import type { ResolvedAnswer } from '../../resolve/answer.ts';
import type { AnswerSignature, AnswerSigner } from '../../signing/answer-signer.ts';
import { canonicalAnswerPath } from '../../signing/canonical-answer.ts';
import { contentDigest } from '../../signing/content-digest.ts';

/**
 * The signing step of resolution answers (ADR 0011). renderOutcome arms the reply; the onSend hook
 * then signs what is actually written (status, headers and body bytes as serialised), so every
 * rendering (JSON record, redirect, linkset, page, error) is covered by one code path.
 *
 * A cached answer keeps its signatures in its render memo beside its encoded body: a hit whose
 * response matches a kept one (same body object, status, type, location, request target, key)
 * writes the kept fields and signs nothing. The memo keeps at most SLOTS signatures per answer,
 * so requests with ever new query strings cannot grow a cache entry.
 */

/** Kept fields of a relayed signature: this node's key rotation does not concern them. */
const RELAYED = 'relayed';

interface Kept {
  readonly body: Buffer | string | undefined;
  readonly status: number;
  readonly contentType: string | undefined;
  readonly location: string | undefined;
  readonly url: string;
  readonly method: string;
  readonly signed: AnswerSignature;
}

const SLOTS = 4;
const MEMO_KEY = 'signatures';
/**
 * The answer an armed reply renders, in a slot every reply is built with (declareSigningSlot): a
 * WeakMap keyed by replies cost a hash insertion per answer and ephemeron work in every scavenge.
 */
const ARMED = Symbol('idnode.signing.armed');
type Armable = Record<typeof ARMED, ResolvedAnswer | null | undefined>;
const armedOf = (reply: FastifyReply): ResolvedAnswer | undefined => (reply as unknown as Armable)[ARMED] ?? undefined;
const noSlots = (): Kept[] => [];
/** Whether any server in this process signs: without one, arming a reply would be work for nothing. */
let hooked = false;

const memoOf = (a: ResolvedAnswer): RenderMemo | undefined =>
  a.kind === 'found' || a.kind === 'not-found' ? a.memo : undefined;

/** Declares the slot on every reply (buildServer, before any route or scope, signing or not). */
export function declareSigningSlot(app: FastifyInstance): void {
  app.decorateReply(ARMED, null);
}

/** This reply is a resolution answer: the onSend hook signs it when the signer wants to. */
export function armSigning(reply: FastifyReply, answer: ResolvedAnswer): void {
  if (hooked) (reply as unknown as Armable)[ARMED] = answer;
}

/**
 * The upstream's signature, when this response is the one it signed: the canonical request and
 * the same bytes (same digest). Otherwise (another route, a query, another tier) this node signs.
 */
function relayedFor(a: ResolvedAnswer, url: string, body: Buffer | string | undefined): AnswerSignature | undefined {
  if (a.kind !== 'found' || a.relayedSignature === undefined) return undefined;
  const r = a.relayedSignature;
  if (url !== canonicalAnswerPath(a.record.handle) || contentDigest(body) !== r.contentDigest) return undefined;
  return { ...r, kid: RELAYED };
}

const headerText = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

function bodyOf(payload: unknown): Buffer | string | undefined | false {
  if (payload === undefined || payload === null) return undefined;
  if (typeof payload === 'string' || Buffer.isBuffer(payload)) return payload;
  return false; // a stream: resolution answers are never streamed
}

function find(slots: readonly Kept[], k: Omit<Kept, 'signed'>, kid: string): Kept | undefined {
  for (const s of slots) {
    if (
      s.body === k.body &&
      s.status === k.status &&
      s.url === k.url &&
      s.method === k.method &&
      s.location === k.location &&
      s.contentType === k.contentType &&
      (s.signed.kid === kid || s.signed.kid === RELAYED)
    )
      return s;
  }
  return undefined;
}

function signatureFor(
  signer: AnswerSigner,
  request: FastifyRequest,
  reply: FastifyReply,
  a: ResolvedAnswer,
  payload: unknown,
) {
  const body = bodyOf(payload);
  if (body === false) return undefined;
  const url = request.url;
  const key = {
    body,
    status: reply.statusCode,
    contentType: headerText(reply.getHeader('content-type')),
    location: headerText(reply.getHeader('location')),
    url,
    method: request.method,
  };
  const slots = memoOf(a)?.get<Kept[]>(MEMO_KEY, noSlots);
  const kept = slots === undefined ? undefined : find(slots, key, signer.keys.current.kid);
  if (kept !== undefined) return kept.signed;
  const q = url.indexOf('?');
  const signed =
    relayedFor(a, url, body) ??
    signer.sign({
      ...key,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q),
    });
  if (signed !== undefined && slots !== undefined) {
    if (slots.length >= SLOTS) slots.shift();
    slots.push({ ...key, signed });
  }
  return signed;
}

/** Appends Accept-Signature to Vary: an answer signed on request differs by that header (RFC 9421 §5). */
function varyOnAcceptSignature(reply: FastifyReply): void {
  const vary = headerText(reply.getHeader('vary'));
  reply.header('vary', vary === undefined ? 'Accept-Signature' : `${vary}, Accept-Signature`);
}

export function registerAnswerSigning(app: FastifyInstance, signer: AnswerSigner | undefined): void {
  if (signer === undefined || signer.mode === 'off') return;
  hooked = true;
  app.addHook('onSend', (request, reply, payload, done) => {
    const a = armedOf(reply);
    // HEAD carries no content (its Content-Digest would differ from GET's); 304 has none either.
    if (a === undefined || request.method !== 'GET' || reply.statusCode === 304) return done(null, payload);
    if (signer.mode === 'requested') varyOnAcceptSignature(reply);
    if (!signer.wants(request.headers['accept-signature'])) return done(null, payload);
    const s = signatureFor(signer, request, reply, a, payload);
    if (s !== undefined) {
      reply.header('content-digest', s.contentDigest).header('signature-input', s.signatureInput);
      reply.header('signature', s.signature);
    }
    done(null, payload);
  });
}
