/**
 * Time for expiry decisions. Durations and timeouts (session idle time, cache TTLs, heartbeat
 * age, back-off) use the monotonic clock, which no wall-clock step moves. Expiry times that are
 * timestamps by nature (a token's or a credential's `exp`, signed by someone else or handed to a
 * client) need wall time, read through `WallClock`: it follows the system clock forward, but when
 * the clock steps back it keeps counting from where it was at the monotonic pace, so a step back
 * never makes an expired token or credential valid again. (A step forward expires them early:
 * the safe side.)
 */

/** Milliseconds of the monotonic clock (arbitrary origin): for durations only. */
export const monotonicMs = (): number => performance.now();

export class WallClock {
  readonly #wall: () => number;
  readonly #mono: () => number;
  #lastWall = -Infinity;
  #lastMono = 0;

  constructor(wall: () => number = Date.now, mono: () => number = monotonicMs) {
    this.#wall = wall;
    this.#mono = mono;
  }

  /** Wall time in ms since the epoch, never less than an earlier answer plus the time elapsed since. */
  nowMs(): number {
    const wall = this.#wall();
    const mono = this.#mono();
    const t = Math.max(wall, this.#lastWall + (mono - this.#lastMono));
    this.#lastWall = t;
    this.#lastMono = mono;
    return t;
  }

  nowSeconds(): number {
    return this.nowMs() / 1000;
  }
}

/** The process's wall clock for expiry decisions. */
export const wallClock = new WallClock();
