import { ERRORS, type ErrorCode, type ErrorSpec } from './codes.ts';

/** A coded error. Its status on every transport comes from the ERRORS table. */
export class IdnError extends Error {
  readonly code: ErrorCode;
  readonly spec: ErrorSpec;
  /** Extra machine-readable facts (limit, offending position, failing paths...). */
  readonly detail: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message?: string, detail?: Record<string, unknown>) {
    const spec = ERRORS[code];
    super(message ?? spec.message);
    this.name = 'IdnError';
    this.code = code;
    this.spec = spec;
    this.detail = detail;
  }
}

export const isIdnError = (e: unknown): e is IdnError => e instanceof IdnError;
