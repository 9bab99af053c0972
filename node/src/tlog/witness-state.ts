import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What the witness keeps per secondary: the log key it trusts and the last checkpoint it cosigned. */
export interface WitnessedLog {
  readonly nodeId: string;
  readonly vkey: string;
  readonly origin: string;
  readonly size: number;
  /** base64 */
  readonly root: string;
  /** The cosigned note (log signature and cosignature). */
  readonly note: string;
  /** Set when the log was found not to extend what was cosigned; cleared only by an operator. */
  readonly refused?: { readonly code: string; readonly at: string; readonly message: string };
}

/** One JSON file per node under `<dataDir>/witness`, replaced atomically (write, then rename). */
export class WitnessStates {
  readonly #dir: string;
  readonly #cache = new Map<string, WitnessedLog | undefined>();

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  #path(nodeId: string): string {
    return join(this.#dir, `${createHash('sha256').update(nodeId).digest('hex').slice(0, 32)}.json`);
  }

  get(nodeId: string): WitnessedLog | undefined {
    if (!this.#cache.has(nodeId)) {
      const path = this.#path(nodeId);
      this.#cache.set(nodeId, existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as WitnessedLog) : undefined);
    }
    return this.#cache.get(nodeId);
  }

  /** Persisted before it returns: the witness answers only after this. */
  put(state: WitnessedLog): void {
    const path = this.#path(state.nodeId);
    writeFileSync(`${path}.tmp`, JSON.stringify(state), { mode: 0o600 });
    renameSync(`${path}.tmp`, path);
    this.#cache.set(state.nodeId, state);
  }

  refusedCount(): number {
    return [...this.#cache.values()].filter((s) => s?.refused !== undefined).length;
  }
}
