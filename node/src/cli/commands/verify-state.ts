import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** An Ed25519 key of the node's JWK Set: its key id and its public key (base64url). */
export interface AnswerKey {
  readonly kid: string;
  readonly x: string;
}

/**
 * What `idnode verify` remembers per log origin: the log key and the answer keys it trusts, and
 * the largest checkpoint it verified.
 */
export interface SeenLog {
  readonly vkey: string;
  readonly size: number;
  /** base64 */
  readonly root: string;
  /** The node's answer-signing keys (RFC 9421), from its JWKS on first use or from --jwks. */
  readonly answerKeys?: readonly AnswerKey[];
}

export type VerifyState = Record<string, SeenLog>;

export const defaultStateFile = (): string =>
  process.env.IDNODE_VERIFY_STATE ??
  join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'idnode', 'verify.json');

export function readState(file: string): VerifyState {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as VerifyState) : {};
}

export function writeState(file: string, state: VerifyState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}
