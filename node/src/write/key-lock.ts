/**
 * Runs async work one at a time per key, in arrival order. The writer uses it so that concurrent
 * writes to one record in this process queue up instead of racing: with optimistic concurrency
 * alone, N simultaneous writers all read version v, one commits and N-1 must re-read and retry,
 * so N writers cost O(N^2) attempts and exhaust any fixed retry limit (50 writers lost updates).
 * Different keys never wait for each other. The optimistic version check stays underneath for
 * writers this lock cannot see (another process on the same store, bootstrap).
 */
export class KeyLock {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous === undefined ? mine : previous.then(() => mine);
    this.tails.set(key, tail);
    try {
      if (previous !== undefined) await previous;
      return await fn();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /**
   * Runs `fn` holding the locks of every key (a change set's identifiers, a batch of thousands).
   * Every key is queued in one synchronous step, so of two sets sharing keys one is ahead of the
   * other on all of them: they queue instead of deadlocking, and no recursion grows with the keys.
   */
  async runAll<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
    const distinct = [...new Set(keys)];
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous: Promise<void>[] = [];
    const tails = distinct.map((key) => {
      const before = this.tails.get(key);
      if (before !== undefined) previous.push(before);
      const tail = before === undefined ? mine : before.then(() => mine);
      this.tails.set(key, tail);
      return tail;
    });
    try {
      if (previous.length > 0) await Promise.all(previous);
      return await fn();
    } finally {
      release();
      distinct.forEach((key, i) => {
        if (this.tails.get(key) === tails[i]) this.tails.delete(key);
      });
    }
  }

  /** Keys with queued or running work (for tests and metrics). */
  get size(): number {
    return this.tails.size;
  }
}
