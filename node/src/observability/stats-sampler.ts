import type { Registry } from 'prom-client';
import { takeSnapshot, type MetricSnapshot } from './metric-snapshot.ts';

/**
 * Readings of the registry kept for windowed rates, taken only when someone asks (no timer: an
 * unwatched node does no work). Each ask reads the registry once (asks arriving while a reading
 * is under way share it) and compares it with the newest reading at least `window` old (else the
 * oldest kept; else the start, all counters from zero).
 */
export interface StatsWindow {
  readonly now: MetricSnapshot;
  /** undefined: counted from the start (the first ask). */
  readonly before: MetricSnapshot | undefined;
  readonly seconds: number;
}

const KEEP_MS = 10 * 60_000;
/** Enough for a 5-minute window with several consoles polling every second. */
const MAX_READINGS = 3000;

export class StatsSampler {
  readonly #registry: Registry;
  readonly #readings: MetricSnapshot[] = [];
  readonly #startedAt: number;
  readonly #clock: () => number;
  #pending: Promise<MetricSnapshot> | undefined;

  constructor(registry: Registry, opts: { readonly now?: () => number } = {}) {
    this.#registry = registry;
    this.#clock = opts.now ?? Date.now;
    this.#startedAt = this.#clock();
  }

  async window(seconds: number): Promise<StatsWindow> {
    const now = await this.#read();
    const wantBefore = now.at - seconds * 1000;
    let before: MetricSnapshot | undefined;
    for (const r of this.#readings) {
      if (r === now) break;
      if (r.at <= wantBefore || before === undefined) before = r;
      if (r.at > wantBefore) break;
    }
    const from = before?.at ?? this.#startedAt;
    return { now, before, seconds: Math.max(0.001, (now.at - from) / 1000) };
  }

  async #read(): Promise<MetricSnapshot> {
    // Concurrent asks share one reading: collect functions (readiness checks) run once.
    this.#pending ??= takeSnapshot(this.#registry, this.#clock()).finally(() => (this.#pending = undefined));
    const reading = await this.#pending;
    if (this.#readings[this.#readings.length - 1] !== reading) this.#readings.push(reading);
    while (
      this.#readings.length > MAX_READINGS ||
      (this.#readings.length > 1 && reading.at - this.#readings[0]!.at > KEEP_MS)
    ) {
      this.#readings.shift();
    }
    return reading;
  }
}
