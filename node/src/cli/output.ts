import { CliError, EXIT, type ExitCode } from './exit-codes.ts';

/** Human text on a terminal, one JSON document per result with --json (stdout), errors on stderr. */
export interface Output {
  readonly json: boolean;
  /** The command's result: `json` as one line with --json, else `text()`. */
  result(json: unknown, text: () => string): void;
  /** A progress or status line (stderr for humans; a JSON line on stdout with --json). */
  event(json: Record<string, unknown>, text: () => string): void;
}

/**
 * `idnode prefix list ... | head -1`: the reader leaves, the next write fails with EPIPE, and an
 * unhandled stream error would print a stack trace. A closed stdout means nobody reads the rest,
 * which is what the user asked for: stop quietly (exit 0, as `yes | head -1` does for its shell).
 */
export function stopQuietlyWhenStdoutCloses(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(value, text) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${text()}\n`);
    },
    event(value, text) {
      if (json) process.stdout.write(`${JSON.stringify(value)}\n`);
      else process.stderr.write(`${text()}\n`);
    },
  };
}

/** Prints a failure the same way for every command and returns its exit code. */
export function reportFailure(e: unknown, json: boolean): ExitCode {
  const err =
    e instanceof CliError
      ? e
      : new CliError(EXIT.FAILED, 'CLI_ERR_INTERNAL', e instanceof Error ? e.message : String(e));
  if (json) {
    const body = { ok: false, exit: err.exit, code: err.code, message: err.message, detail: err.detail, ...err.fields };
    process.stdout.write(`${JSON.stringify(body)}\n`);
  } else process.stderr.write(`idnode: ${err.message} [${err.code}]\n`);
  return err.exit;
}
