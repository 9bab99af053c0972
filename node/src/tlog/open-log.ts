import { join } from 'node:path';
import type { ReadonlyStore } from '../store/store.ts';
import type { Checkpoint } from './checkpoint.ts';
import { loadOrCreateLogKey } from './key-file.ts';
import type { Hash } from './merkle.ts';
import { ed25519NoteSigner, type NoteSigner } from './note.ts';
import { TransparencyLog, type OpenCheck } from './transparency-log.ts';
import type { Registry } from 'prom-client';
import { ed25519Cosigner } from './cosignature.ts';
import { Witness } from './witness.ts';

export interface OpenLogOptions {
  readonly dataDir: string;
  readonly origin: string;
  readonly checkpointMs: number;
  /**
   * The note signer; by default the log's own key file (`<dataDir>/tlog-key`). The node's signing
   * module can pass its Ed25519 key here instead (docs/adr/0012, "one key store").
   */
  readonly signer?: NoteSigner;
  readonly onInconsistent?: (published: Checkpoint, rootNow: Hash) => void;
}

/** Opens `<dataDir>/tlog` over the store's change log: checked, caught up, a checkpoint published. */
export async function openTransparencyLog(
  store: ReadonlyStore,
  opts: OpenLogOptions,
): Promise<{ log: TransparencyLog; check: OpenCheck }> {
  const signer = opts.signer ?? ed25519NoteSigner(opts.origin, loadOrCreateLogKey(opts.dataDir, opts.origin));
  return TransparencyLog.open(store, {
    dir: join(opts.dataDir, 'tlog'),
    origin: opts.origin,
    signer,
    checkpointMs: opts.checkpointMs,
    ...(opts.onInconsistent ? { onInconsistent: opts.onInconsistent } : {}),
  });
}

/** The witness of a top-level node: cosigner key `<dataDir>/witness-key` (0600), state under `<dataDir>/witness`. */
export function openWitness(dataDir: string, name: string, registry?: Registry): Witness {
  const cosigner = ed25519Cosigner(name, loadOrCreateLogKey(dataDir, name, 'witness-key'));
  return new Witness(join(dataDir, 'witness'), cosigner, registry ? { registry } : {});
}
