import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBoundedCache, PlainLruCache } from '../../../src/cache/admission/plain-lru-cache.ts';
import type { AdmissionPolicy, EvictionReason } from '../../../src/cache/admission/plain-lru-cache.ts';
import { TinyLfuCache } from '../../../src/cache/admission/tiny-lfu-cache.ts';

const POLICIES: readonly AdmissionPolicy[] = ['lru', 'tinylfu'];

interface Blob {
  id: number;
  bytes: number;
}

type Op = { kind: 'get' | 'delete'; key: number } | { kind: 'set'; key: number; bytes: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('get' as const, 'delete' as const), key: fc.integer({ min: 0, max: 60 }) }),
  fc.record({
    kind: fc.constant('set' as const),
    key: fc.integer({ min: 0, max: 60 }),
    bytes: fc.integer({ min: 0, max: 400 }),
  }),
);

describe.each(POLICIES)('%s cache bounds', (policy) => {
  it('never exceeds maxEntries or maxBytes and accounts bytes exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 100, max: 2000 }),
        fc.array(opArb, { maxLength: 400 }),
        (maxEntries, maxBytes, ops) => {
          const resident = new Map<string, Blob>();
          // The value of the set() in progress: it may be rejected before it is recorded.
          let pending: Blob | undefined;
          let nextId = 0;
          const cache = createBoundedCache<Blob>(policy, {
            maxEntries,
            maxBytes,
            sizeOf: (blob) => blob.bytes,
            onEvict: (key, blob, reason) => {
              if (blob === pending) {
                expect(reason).toBe('rejected');
                return;
              }
              // Every other departure reports the value that was actually resident.
              expect(resident.get(key)).toBe(blob);
              resident.delete(key);
            },
          });
          for (const op of ops) {
            const key = `k${op.key}`;
            if (op.kind === 'get') expect(cache.get(key)).toBe(resident.get(key));
            if (op.kind === 'delete') {
              const wasResident = resident.has(key);
              expect(cache.delete(key)).toBe(wasResident);
            }
            if (op.kind === 'set') {
              const blob = { id: nextId++, bytes: op.bytes };
              pending = blob;
              const kept = cache.set(key, blob);
              pending = undefined;
              if (kept) resident.set(key, blob);
              expect(cache.get(key)).toBe(kept ? blob : undefined);
            }
            expect(cache.size).toBeLessThanOrEqual(maxEntries);
            expect(cache.bytes).toBeLessThanOrEqual(maxBytes);
            expect(cache.size).toBe(resident.size);
            expect(cache.bytes).toBe([...resident.values()].reduce((sum, b) => sum + b.bytes, 0));
          }
        },
      ),
    );
  });

  it('refuses a value larger than maxBytes and drops the stale one', () => {
    const reasons: EvictionReason[] = [];
    const cache = createBoundedCache<string>(policy, {
      maxEntries: 10,
      maxBytes: 10,
      sizeOf: (v) => v.length,
      onEvict: (_key, _value, reason) => reasons.push(reason),
    });
    expect(cache.set('a', 'short')).toBe(true);
    expect(cache.set('a', 'much too long')).toBe(false);
    expect(cache.has('a')).toBe(false);
    expect(reasons).toEqual(['replaced']);
    expect(cache.stats().rejected).toBe(1);
  });

  it('reports replaced, deleted and cleared values', () => {
    const events: string[] = [];
    const cache = createBoundedCache<string>(policy, {
      maxEntries: 10,
      onEvict: (key, value, reason) => events.push(`${reason}:${key}=${value}`),
    });
    cache.set('a', '1');
    cache.set('a', '2');
    cache.set('b', '3');
    cache.delete('b');
    cache.set('c', '4');
    cache.clear();
    expect(events.slice(0, 2)).toEqual(['replaced:a=1', 'deleted:b=3']);
    expect(events.slice(2).sort()).toEqual(['cleared:a=2', 'cleared:c=4']);
    expect(cache.size).toBe(0);
    expect(cache.bytes).toBe(0);
  });

  it('counts hits and misses', () => {
    const cache = createBoundedCache<number>(policy, { maxEntries: 4 });
    expect(cache.get('x')).toBeUndefined();
    cache.set('x', 1);
    expect(cache.get('x')).toBe(1);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, admitted: policy === 'lru' ? 1 : 0 });
  });

  it('validates its options', () => {
    expect(() => createBoundedCache(policy, { maxEntries: 0 })).toThrow(RangeError);
    expect(() => createBoundedCache(policy, { maxEntries: 10, maxBytes: 100 })).toThrow(TypeError);
    const cache = createBoundedCache<number>(policy, { maxEntries: 10, maxBytes: 100, sizeOf: () => Number.NaN });
    expect(() => cache.set('k', 1)).toThrow(RangeError);
  });
});

describe('createBoundedCache', () => {
  it('switches implementation by policy', () => {
    const lru = createBoundedCache<number>('lru', { maxEntries: 8 });
    const tiny = createBoundedCache<number>('tinylfu', { maxEntries: 8 });
    expect(lru).toBeInstanceOf(PlainLruCache);
    expect(lru.policy).toBe('lru');
    expect(tiny).toBeInstanceOf(TinyLfuCache);
    expect(tiny.policy).toBe('tinylfu');
    for (const cache of [lru, tiny]) {
      expect(cache.set('k', 42)).toBe(true);
      expect(cache.get('k')).toBe(42);
    }
  });
});
