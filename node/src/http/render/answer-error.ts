import { IdnError } from '../../errors/idn-error.ts';
import type { FoundAnswer, ResolvedAnswer } from '../../resolve/answer.ts';

/**
 * The coded error an answer without a record stands for. `detailed`: a referral names the node to
 * ask (the API); a page for people does not show internal addresses.
 */
/**
 * The errors of the routine answers, made once: an IdnError captures a stack trace when built,
 * which a flood of unknown identifiers would pay on every request. They are never thrown.
 */
const NOT_FOUND = new IdnError('IDN_ERR_NOT_FOUND');
const GONE = new IdnError('IDN_ERR_GONE');

export function errorOf(answer: Exclude<ResolvedAnswer, FoundAnswer>, detailed: boolean): IdnError {
  switch (answer.kind) {
    case 'not-found':
      return NOT_FOUND;
    case 'gone':
      return GONE;
    case 'referral':
      return detailed
        ? new IdnError('IDN_ERR_NOT_RESPONSIBLE', `Ask ${answer.target} for ${answer.prefix}.`)
        : new IdnError('IDN_ERR_NOT_RESPONSIBLE');
    case 'error':
      return answer.error;
  }
}
