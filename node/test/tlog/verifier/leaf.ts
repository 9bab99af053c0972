/** The leaf encoding of docs/adr/0012, written again from the ADR for the tests (JCS by hand). */
import { sha256 } from './merkle.ts';

interface Value {
  index: number;
  type: string;
  data: { format: string; value: unknown };
  ttl: number;
  timestamp: string;
  access: string;
}

function jcs(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return '[' + v.map(jcs).join(',') + ']';
  const keys = Object.keys(v).sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + jcs((v as Record<string, unknown>)[k])).join(',') + '}';
}

export const digestOfValue = (v: Value): Buffer =>
  sha256(
    Buffer.from(
      jcs({ access: v.access, data: v.data, index: v.index, timestamp: v.timestamp, ttl: v.ttl, type: v.type }),
    ),
  );

export function expectedLeaf(e: {
  actor: string;
  at: string;
  op: string;
  version: number;
  record: { handle: string; values: Value[] };
}): Buffer {
  const values = sha256(...e.record.values.map(digestOfValue)).toString('base64');
  return Buffer.from(jcs({ actor: e.actor, at: e.at, id: e.record.handle, op: e.op, values, version: e.version }));
}
