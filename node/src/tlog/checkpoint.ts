import type { Hash } from './merkle.ts';

/** C2SP tlog-checkpoint v1.0.0 body: origin, decimal size, base64 root; no extension lines. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Hash;
}

export const checkpointText = (c: Checkpoint): string =>
  `${c.origin}\n${String(c.size)}\n${c.root.toString('base64')}\n`;

export function parseCheckpointText(text: string): Checkpoint | undefined {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') return undefined;
  const [origin, size, root] = lines;
  if (!origin || !size || !root || !/^(0|[1-9]\d{0,15})$/.test(size)) return undefined;
  if (!/^[A-Za-z0-9+/]{43}=$/.test(root)) return undefined;
  return { origin, size: Number(size), root: Buffer.from(root, 'base64') };
}
