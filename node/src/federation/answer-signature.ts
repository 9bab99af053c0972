import type { RelayedSignature } from '../records/outcome.ts';
import type { ResolvedAnswer } from '../resolve/answer.ts';
import type { AnswerSigner } from '../signing/answer-signer.ts';
import { canonicalAnswerPath, CANONICAL_CONTENT_TYPE } from '../signing/canonical-answer.ts';
import { recordJsonText } from '../http/render/render-json.ts';

/**
 * The signature a found answer carries to the node that asked (ADR 0011 "Relayed answers"): the
 * one it came with from further upstream, unchanged, or this node's own signature of its
 * canonical JSON answer when it answered from its own data. Nothing for other answers, for
 * answers from a synced copy of another node's data, or with signing off.
 */
export function peerAnswerSignature(a: ResolvedAnswer, signer: AnswerSigner | undefined): RelayedSignature | undefined {
  if (a.kind !== 'found' || a.filtered) return undefined;
  if (a.relayedSignature !== undefined) return a.relayedSignature;
  if (signer === undefined || signer.mode === 'off' || !a.provenance.authoritative) return undefined;
  if (a.provenance.source === 'upstream') return undefined;
  const signed = signer.sign({
    status: 200,
    contentType: CANONICAL_CONTENT_TYPE,
    location: undefined,
    body: Buffer.from(recordJsonText(a)),
    method: 'GET',
    path: canonicalAnswerPath(a.record.handle),
    query: '',
  });
  return signed === undefined
    ? undefined
    : { contentDigest: signed.contentDigest, signatureInput: signed.signatureInput, signature: signed.signature };
}
