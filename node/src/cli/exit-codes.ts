/**
 * Exit codes of every `idnode` command, so scripts can branch without parsing messages:
 * 0 ok, 1 the operation failed, 2 usage or configuration error, 3 not found, 4 authentication or
 * authorisation refused, 5 the node is unavailable (not reachable, not ready, timed out).
 */
export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  AUTH: 4,
  UNAVAILABLE: 5,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the CLI reports with a machine-readable code (CLI_ERR_* or the node's IDN_ERR_*). */
export class CliError extends Error {
  readonly exit: ExitCode;
  readonly code: string;
  readonly detail: unknown;
  /** More facts for the --json form (after ok, exit, code, message, detail), e.g. a resolve's trace. */
  readonly fields: Record<string, unknown>;
  constructor(exit: ExitCode, code: string, message: string, detail?: unknown, fields: Record<string, unknown> = {}) {
    super(message);
    this.exit = exit;
    this.code = code;
    this.detail = detail;
    this.fields = fields;
  }
}

export const usage = (code: string, message: string, detail?: unknown): CliError =>
  new CliError(EXIT.USAGE, code, message, detail);

/** Handle responseCode 102: the node refused the identifier's spelling, which is the caller's input. */
const IDENTIFIER_GRAMMAR_RC = 102;

/** Maps a node's HTTP answer onto an exit code. */
export function exitForHttp(status: number, responseCode?: number): ExitCode {
  if (status === 404 || status === 410) return EXIT.NOT_FOUND;
  if (status === 401 || status === 403) return EXIT.AUTH;
  if (status === 502 || status === 503 || status === 504) return EXIT.UNAVAILABLE;
  if (status === 400 && responseCode === IDENTIFIER_GRAMMAR_RC) return EXIT.USAGE;
  return EXIT.FAILED;
}
