import { describe, expect, it } from 'vitest';
import { RecentLog } from '../../src/store/recent-log.ts';
import type { ChangeEntry } from '../../src/store/store.ts';

const entry = (seq: number): ChangeEntry => ({
  seq,
  key: `88.100.5/K-${seq % 7}`,
  op: 'put',
  version: seq,
  previousVersion: seq - 1,
  at: '2026-12-01T00:00:00.000Z',
  actor: '300:88.100.5/ADMIN',
  record: { handle: `88.100.5/K-${seq % 7}`, values: [], version: seq, createdAt: '', updatedAt: '' },
});

// The soak (loadtest/soak.ts) judges memory only once this bound is reached: it must then hold.
describe('RecentLog keeps at most its capacity', () => {
  it('fills to the capacity, then stays there, oldest entries out first', () => {
    const log = new RecentLog(8);
    log.add([1, 2, 3].map(entry));
    expect(log.size).toBe(3);
    for (let seq = 4; seq <= 40; seq += 3) log.add([seq, seq + 1, seq + 2].map(entry));
    expect(log.size).toBe(8);
    expect(log.page(34, 8, 42)?.map((e) => e.seq)).toEqual([35, 36, 37, 38, 39, 40, 41, 42]);
    expect(log.page(33, 8, 42)).toBeUndefined();
  });
});
