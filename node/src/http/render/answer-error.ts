import { IdnError } from '../../errors/idn-error.ts';
import type { FoundAnswer, ResolvedAnswer } from '../../resolve/answer.ts';

/**
 * The coded error an answer without a record stands for. `detailed`: a referral names the node to
 * ask (the API); a page for people does not show internal addresses.
 */
export function errorOf(answer: Exclude<ResolvedAnswer, FoundAnswer>, detailed: boolean): IdnError {
  switch (answer.kind) {
    case 'not-found':
      return new IdnError('IDN_ERR_NOT_FOUND');
    case 'gone':
      return new IdnError('IDN_ERR_GONE');
    case 'referral':
      return detailed
        ? new IdnError('IDN_ERR_NOT_RESPONSIBLE', `Ask ${answer.target} for ${answer.prefix}.`)
        : new IdnError('IDN_ERR_NOT_RESPONSIBLE');
    case 'error':
      return answer.error;
  }
}
