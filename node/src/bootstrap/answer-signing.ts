import type { Logger } from 'pino';
import { stepOrFail } from '../config/startup-failure.ts';
import { AnswerSigner } from '../signing/answer-signer.ts';
import type { SigningSettings } from '../signing/config.ts';
import { loadSigningSeeds, signingKeyPath } from '../signing/key-file.ts';
import { watchSigningKeys } from '../signing/key-watch.ts';
import { SigningKeys } from '../signing/signing-keys.ts';
import type { RecordService } from '../write/record-service.ts';
import { bootstrapPrefixPubkeys } from './homed-prefix-pubkey.ts';

/** The answer signer over `<data dir>/signing-key` (created at first start, 0600). */
export async function loadAnswerSigner(dataDir: string, settings: SigningSettings): Promise<AnswerSigner> {
  const path = signingKeyPath(dataDir);
  const seeds = await stepOrFail(`read the signing key ${path}`, 'fix the file or rotate it', () =>
    loadSigningSeeds(dataDir),
  );
  return new AnswerSigner(SigningKeys.of(seeds), settings.mode);
}

export interface SigningPublication {
  readonly signer: AnswerSigner;
  readonly records: RecordService;
  readonly prefixes: readonly string[];
  readonly dataDir: string;
  readonly logger: Logger;
  /** Only one process of a node writes the HS_PUBKEY values (like HS_SITE); every process watches. */
  readonly lead: boolean;
}

/**
 * Publishes the current key as HS_PUBKEY on every homed `0.NA/<prefix>` and follows the key file:
 * after `idnode keys rotate-signing` this process signs with the new key and the lead publishes it.
 * Log lines name key ids (public thumbprints), never key material. Returns the watch's stop.
 */
export async function publishSigningKeys(p: SigningPublication): Promise<() => void> {
  const publish = async (keys: SigningKeys): Promise<void> => {
    if (p.lead) await bootstrapPrefixPubkeys(p.records, p.prefixes, keys.current.publicKey);
  };
  await publish(p.signer.keys);
  const log = p.logger.child({ log: 'signing' });
  log.info({ kid: p.signer.keys.current.kid, mode: p.signer.mode }, 'answer signing key loaded');
  return watchSigningKeys(p.dataDir, p.signer, {
    changed: (keys) => {
      log.info({ kid: keys.current.kid, previous: keys.previous.map((k) => k.kid) }, 'answer signing key rotated');
      publish(keys).catch((e: unknown) =>
        log.warn({ err: e instanceof Error ? e.message : String(e) }, 'could not publish the new HS_PUBKEY'),
      );
    },
    failed: (message) => log.warn({ reason: message }, 'signing key file not usable: the previous keys stay'),
  });
}
