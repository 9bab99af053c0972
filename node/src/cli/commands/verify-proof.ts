import { createHash } from 'node:crypto';
import { parseCheckpointText, type Checkpoint } from '../../tlog/checkpoint.ts';
import { leafHash, verifyInclusion } from '../../tlog/merkle.ts';
import { parseNote, type OpenedNote } from '../../tlog/note.ts';

/** The parts of a `?proof=true` answer's idnode-tlog-proof header (C2SP tlog-proof@v1 with idnode's `extra`). */
export interface AnswerProof {
  readonly index: number;
  readonly path: readonly Buffer[];
  readonly note: string;
  readonly opened: OpenedNote;
  readonly checkpoint: Checkpoint;
  readonly leaf: Buffer;
  readonly valueDigests: readonly string[];
}

export function parseAnswerProof(header: string): AnswerProof | undefined {
  const text = Buffer.from(header, 'base64').toString('utf8');
  const lines = text.split('\n');
  if (lines[0] !== 'c2sp.org/tlog-proof@v1') return undefined;
  const extraLine = lines[1]?.startsWith('extra ') ? lines[1].slice(6) : undefined;
  const at = extraLine === undefined ? 1 : 2;
  const index = /^index (0|[1-9]\d*)$/.exec(lines[at] ?? '')?.[1];
  const blank = lines.indexOf('', at + 1);
  if (extraLine === undefined || index === undefined || blank < 0) return undefined;
  const note = lines.slice(blank + 1).join('\n');
  const opened = parseNote(note);
  const checkpoint = opened && parseCheckpointText(opened.text);
  if (!opened || !checkpoint) return undefined;
  const extra = JSON.parse(Buffer.from(extraLine, 'base64').toString('utf8')) as {
    leaf?: string;
    valueDigests?: string[];
  };
  if (typeof extra.leaf !== 'string' || !Array.isArray(extra.valueDigests)) return undefined;
  const path = lines.slice(at + 1, blank).map((h) => Buffer.from(h, 'base64'));
  return {
    index: Number(index),
    path,
    note,
    opened,
    checkpoint,
    leaf: Buffer.from(extra.leaf, 'base64'),
    valueDigests: extra.valueDigests,
  };
}

interface LeafFields {
  readonly id: string;
  readonly version: number;
  readonly op: string;
  readonly values: string;
  readonly at: string;
  readonly actor: string;
}

export interface ShownValue {
  readonly index: number;
  readonly type: string;
  readonly data: unknown;
  readonly ttl: number;
  readonly timestamp: string;
  readonly access: string;
}

/** JCS (RFC 8785) for the JSON the node renders; the leaf format of docs/adr/0012. */
function jcs(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(jcs).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${jcs((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

const sha256 = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

/** The problem with the leaf against the answer shown, or undefined when the leaf is this answer's. */
export function leafProblem(
  p: AnswerProof,
  handle: string,
  version: number | undefined,
  shown: readonly ShownValue[],
): string | undefined {
  const leaf = JSON.parse(p.leaf.toString('utf8')) as LeafFields;
  if (leaf.id.toLowerCase() !== handle.toLowerCase()) return `the leaf is for ${leaf.id}, not ${handle}`;
  if (version !== undefined && leaf.version !== version)
    return `the leaf is version ${String(leaf.version)}, the answer ${String(version)}`;
  const list = sha256(Buffer.concat(p.valueDigests.map((d) => Buffer.from(d, 'base64')))).toString('base64');
  if (list !== leaf.values) return 'the value digests do not hash to the leaf';
  for (const v of shown) {
    const d = sha256(
      jcs({ access: v.access, data: v.data, index: v.index, timestamp: v.timestamp, ttl: v.ttl, type: v.type }),
    );
    if (!p.valueDigests.includes(d.toString('base64')))
      return `value ${String(v.index)} (${v.type}) is not the logged one`;
  }
  return undefined;
}

export const inclusionHolds = (p: AnswerProof): boolean =>
  verifyInclusion(p.index, p.checkpoint.size, leafHash(p.leaf), p.path, p.checkpoint.root);
