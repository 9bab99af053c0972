import { IdnError, isIdnError } from '../errors/idn-error.ts';
import type { Next, Outcome, ResolveRequest, Stage } from './outcome.ts';
import { traceStep } from './trace.ts';

const END: Next = () => Promise.resolve({ kind: 'not-found', source: 'store' });

/** Composes stages once, in order; a thrown error becomes an error outcome so callers switch on one type. */
export function composeStages(stages: readonly Stage[]): Next {
  const chain = stages.reduceRight<Next>(
    (next, stage) => (req) =>
      req.trace === undefined ? stage.run(req, next) : traceStep(req.trace, stage.name, () => stage.run(req, next)),
    END,
  );
  return async (req: ResolveRequest): Promise<Outcome> => {
    try {
      return await chain(req);
    } catch (e) {
      return {
        kind: 'error',
        error: isIdnError(e) ? e : new IdnError('IDN_ERR_INTERNAL', undefined, { cause: String(e) }),
      };
    }
  };
}
