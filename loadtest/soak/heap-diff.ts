import { readFile } from 'node:fs/promises';

/**
 * node loadtest/soak/heap-diff.ts a.heapsnapshot b.heapsnapshot: what grew between two V8 heap
 * snapshots of one process (--heapsnapshot-signal), by node type and constructor name: count and
 * self size, the 25 largest growths (one file: its 25 largest rows). A leak shows as one name growing
 * with the run's length.
 */

interface Snapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[]; readonly node_types: [string[]] } };
  readonly nodes: number[];
  readonly strings: string[];
}

type Totals = Map<string, { count: number; bytes: number }>;

async function totals(path: string): Promise<Totals> {
  const s = JSON.parse(await readFile(path, 'utf8')) as Snapshot;
  const f = s.snapshot.meta.node_fields;
  const [typeAt, nameAt, sizeAt] = [f.indexOf('type'), f.indexOf('name'), f.indexOf('self_size')];
  const types = s.snapshot.meta.node_types[0];
  const out: Totals = new Map();
  for (let i = 0; i < s.nodes.length; i += f.length) {
    const type = types[s.nodes[i + typeAt]!] ?? '?';
    // Strings and numbers are named by their content: fold them into one row per type.
    const name = ['string', 'number', 'concatenated string', 'sliced string'].includes(type)
      ? ''
      : (s.strings[s.nodes[i + nameAt]!] ?? '?').slice(0, 60);
    const key = `${type} ${name}`;
    const t = out.get(key) ?? { count: 0, bytes: 0 };
    t.count++;
    t.bytes += s.nodes[i + sizeAt]!;
    out.set(key, t);
  }
  return out;
}

const [a, b] = process.argv.slice(2);
if (a === undefined) throw new Error('usage: heap-diff.ts [before.heapsnapshot] <after.heapsnapshot>');
// One file: its largest rows (what is big, not what grew).
const before: Totals = b === undefined ? (new Map() as Totals) : await totals(a);
const after: Totals = await totals(b ?? a);
const rows = [...after].map(([k, t]) => {
  const o = before.get(k) ?? { count: 0, bytes: 0 };
  return { key: k, count: t.count - o.count, bytes: t.bytes - o.bytes };
});
rows.sort((x, y) => y.bytes - x.bytes);
const sum = (m: Totals): number => [...m.values()].reduce((n, t) => n + t.bytes, 0);
console.log(`self size: ${(sum(before) / 2 ** 20).toFixed(1)} -> ${(sum(after) / 2 ** 20).toFixed(1)} MiB`);
for (const r of rows.slice(0, 25))
  console.log(`${(r.bytes / 1024).toFixed(0).padStart(8)} KiB ${String(r.count).padStart(8)}  ${r.key}`);
