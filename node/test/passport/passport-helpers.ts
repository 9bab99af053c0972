import { expect } from 'vitest';
import { putRecord, type TestNode } from '../helpers/test-node.ts';

/** Shared pieces of the passport tests: LINK values, scans over real HTTP, leak checks. */

export const link = (index: number, value: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  index,
  type: 'LINK',
  data: { format: 'json', value },
  ...extra,
});

export const kind = (index: number, k: string) => ({ index, type: 'KIND', data: { format: 'string', value: k } });

export interface Scan {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly location: string | null;
  readonly linkHeader: string;
  /** Every header and the body: what a leak check searches. */
  readonly everything: string;
}

export async function scan(node: TestNode, path: string, headers: Record<string, string> = {}): Promise<Scan> {
  const res = await fetch(`${node.url}${path}`, { redirect: 'manual', headers });
  const text = await res.text();
  const all = [...res.headers.entries()].map(([k, v]) => `${k}: ${v}`).join('\n');
  return {
    status: res.status,
    headers: res.headers,
    text,
    location: res.headers.get('location'),
    linkHeader: res.headers.get('link') ?? '',
    everything: `${all}\n${text}`,
  };
}

export async function create(node: TestNode, handle: string, values: unknown[], query = ''): Promise<void> {
  // A prefix record 0.NA/<prefix> is administered by <prefix>/ADMIN.
  const prefix = handle.startsWith('0.NA/') ? handle.slice(5) : (handle.split('/')[0] ?? '');
  const put = await putRecord(node.url, handle, values, node.adminAuth(prefix), query);
  expect(put.status, JSON.stringify(put.body)).toBeLessThan(300);
}

/** The hrefs of every target in a linkset, by relation. */
export function linksetHrefs(doc: unknown): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const contexts = (doc as { linkset: Record<string, unknown>[] }).linkset;
  for (const ctx of contexts) {
    for (const [rel, targets] of Object.entries(ctx)) {
      if (rel === 'anchor' || rel === 'itemDescription' || rel === '@context') continue;
      out[rel] = [...(out[rel] ?? []), ...(targets as { href: string }[]).map((t) => t.href)];
    }
  }
  return out;
}
