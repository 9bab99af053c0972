import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/store.ts';
import { startTestNode, type TestNode } from '../helpers/test-node.ts';

const PREFIX = '88.100.5';
const PATH = `/api/admin/prefixes/${PREFIX}/serials`;
const COMMIT_DELAY_MS = 600;

/** Resolves when the next commit of a serial range (and its idempotency result) is durable. */
let serialCommitted: () => void = () => undefined;
const nextSerialCommit = (): Promise<void> => new Promise((resolve) => (serialCommitted = resolve));

/**
 * The real store, but the reply to a committed serial range is held back: the server has reserved
 * and recorded the range durably when the client gives up (the test aborts it exactly then).
 */
function slowAfterSerialCommit(store: Store): Store {
  return {
    kind: store.kind,
    get: (k) => store.get(k),
    // The range and its idempotency result are one commit: hold back the reply to that commit.
    commit: async (ops, meta) => {
      const r = await store.commit(ops, meta);
      if (ops.some((o) => o.key.startsWith('0.reg/idem/serial/'))) {
        serialCommitted();
        await sleep(COMMIT_DELAY_MS);
      }
      return r;
    },
    put: (k, input, cond, meta) => store.put(k, input, cond, meta),
    delete: (k, cond, meta) => store.delete(k, cond, meta),
    list: (p, page) => store.list(p, page),
    allocate: (c, n) => store.allocate(c, n),
    changesSince: (a, l) => store.changesSince(a, l),
    lastSeq: () => store.lastSeq(),
    historyOf: (k, page) => store.historyOf(k, page),
    close: () => store.close(),
  };
}

let node: TestNode;
beforeAll(async () => {
  node = await startTestNode([PREFIX], { wrapStore: slowAfterSerialCommit });
});
afterAll(() => node.close());

const allocate = (body: unknown, key: string | undefined, signal?: AbortSignal) =>
  fetch(`${node.url}${PATH}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: node.adminAuth(PREFIX),
      ...(key === undefined ? {} : { 'idempotency-key': key }),
    },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

describe('registry admin API: serial allocation', () => {
  it('answers the formatted suffixes too, not numbers only (listed up to 1000, first and last always)', async () => {
    const small = (await (await allocate({ count: 3, pattern: 'SN-{n:6}' }, 'rough-fmt-1')).json()) as Record<
      string,
      unknown
    >;
    const first = small.first as number;
    const fmt = (n: number) => `SN-${String(n).padStart(6, '0')}`;
    expect(small).toMatchObject({ firstSuffix: fmt(first), lastSuffix: fmt(first + 2) });
    expect(small.suffixes).toEqual([fmt(first), fmt(first + 1), fmt(first + 2)]);
    const big = (await (await allocate({ count: 1001, pattern: 'SN-{n:6}' }, 'rough-fmt-2')).json()) as Record<
      string,
      unknown
    >;
    expect(big).toMatchObject({ firstSuffix: fmt(big.first as number), lastSuffix: fmt(big.last as number) });
    expect(big.suffixes).toBeUndefined();
  });

  it('a retry after a client timeout (server already committed) returns the same range', async () => {
    const body = { count: 1000, pattern: 'SN-{n:9}' };
    const committed = nextSerialCommit();
    const client = new AbortController();
    const first = allocate(body, 'serials-1', client.signal);
    // The server has committed the range; its reply is held back: the client times out now.
    await committed;
    client.abort();
    await expect(first).rejects.toThrow();
    const retry = await allocate(body, 'serials-1');
    expect(retry.status).toBe(200);
    const range = (await retry.json()) as Record<string, unknown>;
    expect(range).toMatchObject({
      prefix: PREFIX,
      pattern: 'SN-{n:9}',
      first: 1,
      last: 1000,
      count: 1000,
      replayed: true,
    });

    // A new key gets the next range; the first was not handed out twice.
    const next = await allocate(body, 'serials-2');
    expect(next.status).toBe(201);
    expect(await next.json()).toMatchObject({ first: 1001, last: 2000, replayed: false });
  });

  it('the same key with another body is a conflict; a bad pattern is refused', async () => {
    const conflict = await allocate({ count: 5, pattern: 'SN-{n:9}' }, 'serials-2');
    expect(conflict.status).toBe(422);
    expect(((await conflict.json()) as { code: string }).code).toBe('IDN_ERR_IDEMPOTENCY_CONFLICT');
    const bad = await allocate({ count: 5, pattern: 'no placeholder' }, 'serials-3');
    expect(bad.status).toBe(400);
  });

  it('needs an admin of the prefix', async () => {
    const res = await fetch(`${node.url}${PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1 }),
    });
    expect(res.status).toBe(401);
  });
});
