import { HandleRc } from '../errors/codes.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import { NO_CREDENTIALS, type FoundAnswer, type ResolvedAnswer } from '../resolve/answer.ts';
import type { ResolutionService } from '../resolve/resolution-service.ts';
import { ByteWriter } from './bytes.ts';
import { hasFlag, type RequestMessage } from './message.ts';
import { FLAG } from './protocol.ts';
import { decodeResolution, handleText, parseWireHandle } from './requests.ts';
import { errorBody, type Reply } from './respond.ts';
import { encodeValue } from './values.ts';

/** A coded error as a reply: the error table decides the Handle response code. */
export const errorReply = (e: IdnError): Reply => ({ rc: e.spec.rc, body: errorBody(e.message) });

/** The error an answer without values stands for (deleted reads as not found, as Handle answers). */
function answerError(a: Exclude<ResolvedAnswer, FoundAnswer>): IdnError {
  switch (a.kind) {
    case 'not-found':
    case 'gone':
      return new IdnError('IDN_ERR_NOT_FOUND');
    case 'referral':
      // CNRI servers answer 301 for what they do not home; clients then look the prefix up (0.NA/<prefix> HS_SITE).
      return new IdnError('IDN_ERR_NOT_RESPONSIBLE', `Prefix ${a.prefix} is served by node ${a.nodeId ?? a.target}.`);
    case 'error':
      return a.error;
  }
}

/** The values back to back, as the wire carries them. */
function valueBytes(a: FoundAnswer): Buffer {
  const w = new ByteWriter(16 + a.values.length * 64).u32(a.values.length);
  for (const v of a.values) encodeValue(w, v);
  return w.done();
}

/**
 * Success body: the handle as the client sent it, the value count, the values. Unfiltered values
 * are encoded once per answer and tier and kept with a cached answer (as the JSON body is).
 */
function foundBody(handle: Buffer, a: FoundAnswer): Buffer {
  const values = a.filtered ? valueBytes(a) : a.memo.get(`handle:${a.tier}`, () => valueBytes(a));
  return new ByteWriter(8 + handle.length + values.length).bytes(handle).raw(values).done();
}

/**
 * OC_RESOLUTION: parse, ResolutionService.answer as an anonymous reader (the public tier; PO asks
 * for it explicitly), render. Index and type filters, tiers, TTLs and audit are the service's.
 */
export async function resolveOp(resolution: ResolutionService, req: RequestMessage): Promise<Reply> {
  const body = decodeResolution(req.body);
  let answer: ResolvedAnswer;
  try {
    const id = parseWireHandle(handleText(body.handle));
    answer = await resolution.answer({ id, route: 'handle' }, NO_CREDENTIALS, {
      indexes: body.indexes,
      types: body.types,
      publicOnly: hasFlag(req.header, FLAG.PO),
      authoritative: hasFlag(req.header, FLAG.AT),
      trace: false,
    });
  } catch (e) {
    if (isIdnError(e)) return errorReply(e);
    throw e;
  }
  if (answer.kind !== 'found') return errorReply(answerError(answer));
  if (answer.valuesMissing !== undefined || answer.values.length === 0) {
    return { rc: HandleRc.VALUES_NOT_FOUND, body: errorBody(answer.valuesMissing?.message ?? 'No values.') };
  }
  return { rc: HandleRc.SUCCESS, body: foundBody(body.handle, answer) };
}
