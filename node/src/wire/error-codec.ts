import type { ErrorDetail, ErrorDetail__Output } from '../../../proto/generated/idnode/v1/ErrorDetail.generated.ts';
import { ERRORS, type ErrorCode } from '../errors/codes.ts';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import { malformed } from './record-codec.ts';

/** IdnError <-> idnode.v1.ErrorDetail (common.proto): the code, its Handle rc, the message, the detail as JSON. */

/** Anything that is not a coded error goes out as IDN_ERR_INTERNAL: no stack or message of a bug leaves the node. */
export function errorToWire(e: unknown): ErrorDetail {
  const err = isIdnError(e) ? e : new IdnError('IDN_ERR_INTERNAL');
  return {
    code: err.code,
    handleRc: err.spec.rc,
    message: err.message,
    detailJson: err.detail === undefined ? '' : JSON.stringify(err.detail),
  };
}

const isCode = (code: string): code is ErrorCode => Object.hasOwn(ERRORS, code);

/** The detail object, undefined when none was sent, or the refusal of one that is not a JSON object. */
function detailFromWire(text: string, path: string): Record<string, unknown> | undefined | IdnError {
  if (text === '') return undefined;
  let detail: unknown;
  try {
    detail = JSON.parse(text);
  } catch {
    return malformed(path, 'the JSON text does not parse');
  }
  if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
    return malformed(path, 'the detail is not a JSON object');
  }
  return detail as Record<string, unknown>;
}

/**
 * A peer's coded error as this node's; never throws. A code this node does not know (a newer peer)
 * becomes IDN_ERR_INTERNAL with the peer's message; a missing error or an unreadable detail becomes
 * IDN_ERR_PEER_MALFORMED.
 */
export function errorFromWire(e: ErrorDetail__Output | null, path = 'error'): IdnError {
  if (e === null) return malformed(path, 'an error answer without the error');
  const detail = detailFromWire(e.detailJson, `${path}.detail_json`);
  if (detail instanceof IdnError) return detail;
  return new IdnError(isCode(e.code) ? e.code : 'IDN_ERR_INTERNAL', e.message || undefined, detail);
}
