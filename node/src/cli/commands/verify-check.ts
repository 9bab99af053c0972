import { CliError, EXIT } from '../exit-codes.ts';

/** One line of `idnode verify`'s report: a check that passed, or one it could not make. */
export interface Check {
  readonly check: string;
  readonly status: 'ok' | 'skipped';
  readonly detail: string;
}

/** A failed check: exit 1 with its CLI_ERR_VERIFY_* code and the checks that passed before it. */
export const fail = (code: string, message: string, checks: readonly Check[]): CliError =>
  new CliError(EXIT.FAILED, code, message, undefined, { checks });
