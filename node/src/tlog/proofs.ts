import type { ChangeEntry, ReadonlyStore } from '../store/store.ts';
import { leafData, valueDigest } from './leaf.ts';
import type { TransparencyLog } from './transparency-log.ts';

/** What proves one version of an identifier: its leaf, where it is, and the path to a signed root. */
export interface LeafProof {
  readonly index: number;
  readonly version: number;
  /** The leaf bytes (leaf.ts), base64. */
  readonly leaf: string;
  /** Every value's digest, in record order, base64: a reader recomputes those of the values it sees. */
  readonly valueDigests: readonly string[];
  /** From the leaf's sibling up to the root's child, base64. */
  readonly inclusion: readonly string[];
  /** The signed checkpoint the proof leads to (its size is above index). */
  readonly checkpoint: string;
}

const HISTORY_PAGE = 100;

/** The change-log entry that produced `version` of `key` (the newest when version is absent). */
async function entryOf(
  store: ReadonlyStore,
  key: string,
  version: number | undefined,
): Promise<ChangeEntry | undefined> {
  let before: number | undefined;
  for (;;) {
    const page = await store.historyOf(key, { limit: HISTORY_PAGE, ...(before === undefined ? {} : { before }) });
    const hit = version === undefined ? page.entries[0] : page.entries.find((e) => e.version === version);
    if (hit || page.next === undefined || (version !== undefined && (page.entries.at(-1)?.version ?? 0) < version))
      return hit;
    before = page.next;
  }
}

/** The proof of one version of `key`, against the latest checkpoint (signed now if it does not cover the leaf yet). */
export async function proofFor(
  log: TransparencyLog,
  store: ReadonlyStore,
  key: string,
  version?: number,
): Promise<LeafProof | undefined> {
  const entry = await entryOf(store, key, version);
  if (!entry) return undefined;
  const index = entry.seq - 1;
  if (log.tree.size <= index) await log.caughtUp();
  let published = log.latest;
  if (published.checkpoint.size <= index) published = log.publish();
  const size = published.checkpoint.size;
  return {
    index,
    version: entry.version,
    leaf: leafData(entry).toString('base64'),
    valueDigests: entry.record.values.map((v) => valueDigest(v).toString('base64')),
    inclusion: log.tree.inclusion(index, size).map((h) => h.toString('base64')),
    // With the witness's cosignature when it cosigned this very checkpoint.
    checkpoint: published === log.latest ? log.served : published.note,
  };
}

/**
 * The proof as C2SP tlog-proof@v1 text: `extra` carries the leaf and the value digests (JSON,
 * base64), then the index, the inclusion hashes, an empty line and the checkpoint.
 */
export function tlogProofText(p: LeafProof): string {
  const extra = Buffer.from(JSON.stringify({ leaf: p.leaf, valueDigests: p.valueDigests })).toString('base64');
  return [
    'c2sp.org/tlog-proof@v1',
    `extra ${extra}`,
    `index ${String(p.index)}`,
    ...p.inclusion,
    '',
    p.checkpoint,
  ].join('\n');
}
