import { Counter, Gauge, type Registry } from 'prom-client';
import { IdnError } from '../errors/idn-error.ts';
import type { ErrorCode } from '../errors/codes.ts';
import { parseCheckpointText, type Checkpoint } from './checkpoint.ts';
import type { Cosigner } from './cosignature.ts';
import { verifyConsistency } from './merkle.ts';
import { checkNoteSignature, parseNote, parseVkey, SIG_ED25519 } from './note.ts';
import { WitnessStates, type WitnessedLog } from './witness-state.ts';

/** One add-checkpoint request (C2SP tlog-witness v1.0.0), from an authenticated node. */
export interface AddCheckpoint {
  readonly oldSize: number;
  readonly proof: readonly Buffer[];
  /** The signed note. */
  readonly checkpoint: string;
  /** The log's verifier key: trusted on first use for this node (the node id is its mTLS identity). */
  readonly logVkey: string;
}

export type AddCheckpointResult =
  | { readonly ok: true; readonly cosignatures: string }
  | { readonly ok: false; readonly error: IdnError; readonly knownSize?: number };

const REASONS: Partial<Record<ErrorCode, string>> = {
  IDN_ERR_WITNESS_BAD_REQUEST: 'bad_request',
  IDN_ERR_WITNESS_UNKNOWN_LOG: 'unknown_log',
  IDN_ERR_WITNESS_BAD_SIGNATURE: 'bad_signature',
  IDN_ERR_WITNESS_OLD_SIZE: 'old_size',
  IDN_ERR_WITNESS_INCONSISTENT: 'inconsistent',
};

const MAX_PROOF = 63;

/**
 * The top-level node as witness of its secondaries' logs: cosigns a checkpoint only when it is
 * signed by the node's log key and provably extends the last one cosigned; a log that does not
 * (a fork, rewritten history, a smaller tree, another root at the same size) is refused and the
 * node flagged, so its sync stops at the last witnessed state.
 */
export class Witness {
  readonly cosigner: Cosigner;
  readonly #states: WitnessStates;
  readonly #now: () => number;
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #refusals: Counter<'reason'> | undefined;
  readonly #cosigned: Counter | undefined;

  constructor(dir: string, cosigner: Cosigner, opts: { registry?: Registry; now?: () => number } = {}) {
    this.cosigner = cosigner;
    this.#states = new WitnessStates(dir);
    this.#now = opts.now ?? Date.now;
    if (opts.registry) {
      const registers = [opts.registry];
      this.#refusals = new Counter({
        name: 'idnode_witness_refusals_total',
        help: 'Checkpoints the witness refused, by reason.',
        labelNames: ['reason'],
        registers,
      });
      this.#cosigned = new Counter({
        name: 'idnode_witness_cosignatures_total',
        help: 'Checkpoints the witness cosigned.',
        registers,
      });
      const states = this.#states;
      new Gauge({
        name: 'idnode_witness_logs_refused',
        help: 'Secondary logs flagged as not extending what the witness cosigned (their sync is refused).',
        registers,
        collect() {
          this.set(states.refusedCount());
        },
      });
    }
  }

  /** Whether the node's log was found rewritten: its changes are no longer applied. */
  refused(nodeId: string): WitnessedLog['refused'] {
    return this.#states.get(nodeId)?.refused;
  }

  last(nodeId: string): WitnessedLog | undefined {
    return this.#states.get(nodeId);
  }

  /** Compare and store in one step per node (requests of one node run in turn), persisted before the answer. */
  add(nodeId: string, req: AddCheckpoint): Promise<AddCheckpointResult> {
    const run = (this.#chains.get(nodeId) ?? Promise.resolve()).then(() => this.#add(nodeId, req));
    this.#chains.set(
      nodeId,
      run.catch(() => undefined),
    );
    return run;
  }

  #refuse(code: ErrorCode, message: string, extra: { knownSize?: number } = {}): AddCheckpointResult {
    this.#refusals?.labels(REASONS[code] ?? 'other').inc();
    return { ok: false, error: new IdnError(code, `${new IdnError(code).message} ${message}`), ...extra };
  }

  #add(nodeId: string, req: AddCheckpoint): AddCheckpointResult {
    const state = this.#states.get(nodeId);
    if (state?.refused)
      return this.#refuse('IDN_ERR_WITNESS_INCONSISTENT', `(flagged at ${state.refused.at}: ${state.refused.message})`);
    const note = parseNote(req.checkpoint);
    const cp = note && parseCheckpointText(note.text);
    if (!note || !cp) return this.#refuse('IDN_ERR_WITNESS_BAD_REQUEST', '(the checkpoint does not parse)');
    const key = parseVkey(state?.vkey ?? req.logVkey);
    if (!key || key.type !== SIG_ED25519)
      return this.#refuse('IDN_ERR_WITNESS_UNKNOWN_LOG', '(no valid Ed25519 log key)');
    if (cp.origin !== (state?.origin ?? key.name))
      return this.#refuse('IDN_ERR_WITNESS_UNKNOWN_LOG', `(origin ${cp.origin})`);
    if (checkNoteSignature(note, key) !== 'valid')
      return this.#refuse('IDN_ERR_WITNESS_BAD_SIGNATURE', `(key ${key.name})`);
    if (req.oldSize > cp.size)
      return this.#refuse('IDN_ERR_WITNESS_BAD_REQUEST', '(old size above the checkpoint size)');
    if (req.proof.length > MAX_PROOF) return this.#refuse('IDN_ERR_WITNESS_BAD_REQUEST', '(more than 63 proof hashes)');
    const known = state?.size ?? 0;
    if (state && cp.size < known)
      return this.#flag(nodeId, state, `a smaller tree (${String(cp.size)} < ${String(known)})`);
    if (req.oldSize !== known)
      return this.#refuse('IDN_ERR_WITNESS_OLD_SIZE', `(cosigned size ${String(known)})`, { knownSize: known });
    const problem = state
      ? this.#inconsistency(state, cp, req.proof)
      : req.proof.length > 0
        ? 'a proof from size 0'
        : undefined;
    if (problem !== undefined)
      return state ? this.#flag(nodeId, state, problem) : this.#refuse('IDN_ERR_WITNESS_BAD_REQUEST', `(${problem})`);
    const text = note.text;
    const cosignatures = this.cosigner.cosign(text, Math.max(1, Math.floor(this.#now() / 1000)));
    this.#states.put({
      nodeId,
      vkey: state?.vkey ?? req.logVkey,
      origin: cp.origin,
      size: cp.size,
      root: cp.root.toString('base64'),
      note: req.checkpoint + cosignatures,
    });
    this.#cosigned?.inc();
    return { ok: true, cosignatures };
  }

  #inconsistency(state: WitnessedLog, cp: Checkpoint, proof: readonly Buffer[]): string | undefined {
    const oldRoot = Buffer.from(state.root, 'base64');
    if (cp.size === state.size) return cp.root.equals(oldRoot) ? undefined : `another root at size ${String(cp.size)}`;
    return verifyConsistency(state.size, cp.size, oldRoot, cp.root, proof)
      ? undefined
      : `no consistency from ${String(state.size)} to ${String(cp.size)}`;
  }

  #flag(nodeId: string, state: WitnessedLog, message: string): AddCheckpointResult {
    this.#states.put({
      ...state,
      refused: { code: 'IDN_ERR_WITNESS_INCONSISTENT', at: new Date(this.#now()).toISOString(), message },
    });
    return this.#refuse('IDN_ERR_WITNESS_INCONSISTENT', `(${message}; node ${nodeId})`);
  }
}
