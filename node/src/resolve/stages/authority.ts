import { governingPrefix, type HomedPrefixes } from '../../authority/homed-prefixes.ts';
import { IdnError } from '../../errors/idn-error.ts';
import type { Outcome, Stage } from '../outcome.ts';

/** Answers only for prefixes homed here; anything else is not this node's to answer (yet: referral comes with federation). */
export function createAuthorityStage(homed: HomedPrefixes): Stage {
  return {
    name: 'authority',
    run(req, next): Promise<Outcome> {
      const gov = governingPrefix(req.id);
      if (homed.covers(gov.prefixKey)) return next(req);
      const error = new IdnError('IDN_ERR_NOT_RESPONSIBLE', `This node does not home prefix ${gov.prefix}.`, {
        prefix: gov.prefix,
        homed: homed.prefixes,
      });
      return Promise.resolve({ kind: 'error', error });
    },
  };
}
