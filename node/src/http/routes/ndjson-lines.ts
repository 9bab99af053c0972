import { createInterface } from 'node:readline';

/** Yielded when no line arrived for a while: the batch route then commits what it holds. */
export const IDLE = Symbol('idle');

/**
 * The lines of a streamed body, with IDLE in between whenever the body paused for `idleMs` (one
 * interval timer for the whole body, not one per line: this runs at 100,000 lines a second).
 */
export async function* linesOf(body: NodeJS.ReadableStream, idleMs: number): AsyncGenerator<string | typeof IDLE> {
  const it = createInterface({ input: body, crlfDelay: Infinity })[Symbol.asyncIterator]();
  let seen = 0;
  let seenAtTick = -1;
  let fired = false;
  let wake: () => void = () => undefined;
  const nextIdle = (): Promise<typeof IDLE> => new Promise((resolve) => (wake = () => resolve(IDLE)));
  let idle = nextIdle();
  const tick = setInterval(() => {
    if (seen === seenAtTick && !fired) {
      fired = true;
      wake();
    }
    seenAtTick = seen;
  }, idleMs);
  try {
    let next = it.next();
    for (;;) {
      const r = await Promise.race([next, idle]);
      if (fired) {
        // Fired while lines were still coming (the consumer was busy): only a real pause counts.
        fired = false;
        idle = nextIdle();
      }
      if (r === IDLE) {
        yield IDLE;
        continue;
      }
      if (r.done === true) return;
      seen++;
      yield r.value;
      next = it.next();
    }
  } finally {
    clearInterval(tick);
    await it.return?.();
  }
}
