import type { Registry } from 'prom-client';
import { takeSnapshot, type MetricSnapshot } from './metric-snapshot.ts';

/**
 * Readings of the registry kept for windowed rates, taken only when someone asks (no timer: an
 * unwatched node does no work). Each ask reads the registry once (asks arriving while a reading
 * is under way, or within REUSE_MS of the last one, share it) and compares it with the newest
 * reading at least `window` old (else the oldest kept; else the start, all counters from zero).
 */
export interface StatsWindow {
  readonly now: MetricSnapshot;
  /** undefined: counted from the start (the first ask). */
  readonly before: MetricSnapshot | undefined;
  readonly seconds: number;
}

/** The longest window GET /api/stats offers (300 s), and a margin. */
const KEEP_MS = 310_000;
/**
 * A reading is a copy of every series in the registry (hundreds of KiB on a busy node): kept ones
 * are at least SPACING_MS apart, and an ask within REUSE_MS of the last reading gets that one, so
 * a flood of asks (the long fuzz sent ~3/s) costs one reading per second and at most
 * KEEP_MS / SPACING_MS of them in memory, not one per ask.
 */
const SPACING_MS = 2_000;
const REUSE_MS = 1_000;
const MAX_READINGS = Math.ceil(KEEP_MS / SPACING_MS) + 1;

export class StatsSampler {
  readonly #registry: Registry;
  readonly #readings: MetricSnapshot[] = [];
  readonly #startedAt: number;
  readonly #clock: () => number;
  #pending: Promise<MetricSnapshot> | undefined;
  #latest: MetricSnapshot | undefined;

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
    const latest = this.#latest;
    if (latest !== undefined && this.#clock() - latest.at < REUSE_MS) return latest;
    // Concurrent asks share one reading: collect functions (readiness checks) run once.
    this.#pending ??= takeSnapshot(this.#registry, this.#clock()).finally(() => (this.#pending = undefined));
    const reading = await this.#pending;
    this.#latest = reading;
    const kept = this.#readings[this.#readings.length - 1];
    if (kept === undefined || reading.at - kept.at >= SPACING_MS) this.#readings.push(reading);
    while (
      this.#readings.length > MAX_READINGS ||
      (this.#readings.length > 1 && reading.at - this.#readings[0]!.at > KEEP_MS)
    ) {
      this.#readings.shift();
    }
    return reading;
  }
}
