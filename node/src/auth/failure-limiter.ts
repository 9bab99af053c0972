import { IdnError, isIdnError } from '../errors/idn-error.ts';

/**
 * Backoff after wrong secrets, one module for every path that checks one (ADR 0010): HTTP Basic,
 * REST sessions (`Authorization: Handle`), the native protocol's challenge-response. A sealed
 * secret verifies in microseconds, so without this a guesser tries thousands a second.
 *
 * Two rules, neither of which can lock the real admin out:
 * - per (client address, admin): after `freeFailures` wrong secrets a refusal window of
 *   `baseDelayMs` opens (429 IDN_ERR_AUTH_BACKOFF + Retry-After), doubled by each further wrong
 *   secret up to `maxDelayMs`. A guesser elsewhere never touches the real admin's pair.
 * - per admin, over all clients: a budget of failures (token bucket). Spent, attempts from
 *   addresses this admin never logged in from are queued one per `slowMs` (not refused), so a
 *   guesser spread over many addresses is slowed to one guess per `slowMs` in total. Addresses
 *   the admin logged in from before, and loopback, skip the queue: the documented recovery.
 */

export type AuthPath = 'basic' | 'session' | 'native' | 'bearer';
export const AUTH_PATHS: readonly AuthPath[] = ['basic', 'session', 'native', 'bearer'];

export interface AuthAttempt {
  readonly path: AuthPath;
  /** The client's address as the transport sees it (no proxy header is trusted). */
  readonly client: string;
  /** `<index>:<admin handle>` as the client named it. */
  readonly admin: string;
}

export interface LimiterSettings {
  readonly freeFailures: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A pair with no failure for this long is forgotten. */
  readonly forgetMs: number;
  /** Failures per admin per minute, over every client, before the queue slows unknown addresses. */
  readonly adminFailuresPerMinute: number;
  readonly slowMs: number;
  /** A queue longer than this answers 429 at once (Retry-After: its length) instead of holding a socket. */
  readonly maxQueueMs: number;
  /** Bounds memory whatever an attacker sprays: the oldest entries go first. */
  readonly maxEntries: number;
  readonly knownPerAdmin: number;
  /** Loopback (the node host: the operator's CLI) always skips the admin queue. */
  readonly trustLoopback: boolean;
}

export const LIMITER_DEFAULTS: LimiterSettings = {
  freeFailures: 5,
  baseDelayMs: 1_000,
  maxDelayMs: 15 * 60_000,
  forgetMs: 60 * 60_000,
  adminFailuresPerMinute: 60,
  slowMs: 1_000,
  maxQueueMs: 30_000,
  maxEntries: 50_000,
  knownPerAdmin: 16,
  trustLoopback: true,
};

/** What the limiter reports: counters (observability) and audit lines, wired by app.ts. */
export interface LimiterObserver {
  failure(path: AuthPath): void;
  refused(path: AuthPath, rule: 'client' | 'admin'): void;
  slowed(path: AuthPath): void;
  /** A pair entered (or extended) its backoff, or an admin's budget ran out: one audit line each. */
  audit(event: BackoffEvent): void;
}

export interface BackoffEvent {
  readonly event: 'client-backoff' | 'admin-budget-spent';
  readonly path: AuthPath;
  readonly client: string;
  readonly admin: string;
  readonly failures: number;
  readonly retryAfterSeconds: number;
}

const NO_OBSERVER: LimiterObserver = {
  failure: () => undefined,
  refused: () => undefined,
  slowed: () => undefined,
  audit: () => undefined,
};

/** Wrong secret, wrong challenge answer: the codes that count as a failed guess. */
const FAILURE_CODES = new Set(['IDN_ERR_AUTH_FAILED', 'IDN_ERR_CHALLENGE_FAILED']);
export const isGuessFailure = (e: unknown): boolean => isIdnError(e) && FAILURE_CODES.has(e.code);

interface Pair {
  failures: number;
  until: number;
  last: number;
}

interface AdminBudget {
  tokens: number;
  at: number;
  /** When the next slowed attempt may be checked. */
  nextSlot: number;
  known: string[];
}

const isLoopback = (client: string): boolean =>
  client === '127.0.0.1' || client === '::1' || client === '::ffff:127.0.0.1' || client.startsWith('127.');

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const REAL_CLOCK: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref()),
};

/** Map with insertion-order eviction: bounded whatever keys arrive. */
function touch<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

export class AuthLimiter {
  private readonly pairs = new Map<string, Pair>();
  private readonly admins = new Map<string, AdminBudget>();
  private readonly settings: LimiterSettings;
  private readonly clock: LimiterClock;
  observer: LimiterObserver;

  constructor(settings: Partial<LimiterSettings> = {}, clock: LimiterClock = REAL_CLOCK) {
    this.settings = { ...LIMITER_DEFAULTS, ...settings };
    this.clock = clock;
    this.observer = NO_OBSERVER;
  }

  /**
   * Runs one secret check under both rules: refused before it runs while the pair is in backoff,
   * queued while the admin's budget is spent; a failure (undefined, or a wrong-secret error)
   * counts, a success clears the pair and remembers the address for the admin.
   */
  async guard<T>(attempt: AuthAttempt, check: () => Promise<T>): Promise<T> {
    await this.admit(attempt);
    let result: T;
    try {
      result = await check();
    } catch (e) {
      if (isGuessFailure(e)) this.failed(attempt);
      throw e;
    }
    if (result === undefined) this.failed(attempt);
    else this.succeeded(attempt);
    return result;
  }

  /** Throws IDN_ERR_AUTH_BACKOFF (429) or waits its turn; resolves when the check may run. */
  async admit(a: AuthAttempt): Promise<void> {
    const now = this.clock.now();
    const pair = this.pairs.get(pairKey(a));
    if (pair !== undefined && pair.until > now) {
      this.observer.refused(a.path, 'client');
      throw backoffError(pair.until - now, 'this address, for this admin');
    }
    const budget = this.admins.get(adminKey(a));
    if (budget === undefined || this.refill(budget, now) >= 1 || this.isKnown(budget, a.client)) return;
    const wait = Math.max(budget.nextSlot, now) - now;
    if (wait > this.settings.maxQueueMs) {
      this.observer.refused(a.path, 'admin');
      throw backoffError(wait, 'this admin, from addresses it has not logged in from');
    }
    budget.nextSlot = now + wait + this.settings.slowMs;
    this.observer.slowed(a.path);
    await this.clock.sleep(wait + this.settings.slowMs);
  }

  failed(a: AuthAttempt): void {
    const s = this.settings;
    const now = this.clock.now();
    this.observer.failure(a.path);
    const key = pairKey(a);
    const old = this.pairs.get(key);
    const pair = old !== undefined && now - old.last < s.forgetMs ? old : { failures: 0, until: 0, last: now };
    pair.failures += 1;
    pair.last = now;
    // The `freeFailures`-th wrong secret starts the backoff: the next attempt waits baseDelayMs, then doubles.
    const over = pair.failures - s.freeFailures;
    if (over >= 0) {
      const delay = Math.min(s.baseDelayMs * 2 ** Math.min(over, 30), s.maxDelayMs);
      pair.until = now + delay;
      this.observer.audit({ event: 'client-backoff', ...a, failures: pair.failures, retryAfterSeconds: secs(delay) });
    }
    touch(this.pairs, key, pair, s.maxEntries);
    this.spend(a, now);
  }

  succeeded(a: AuthAttempt): void {
    this.pairs.delete(pairKey(a));
    const budget = this.budgetOf(adminKey(a), this.clock.now());
    if (this.isKnown(budget, a.client)) return;
    budget.known.push(a.client);
    if (budget.known.length > this.settings.knownPerAdmin) budget.known.shift();
  }

  private spend(a: AuthAttempt, now: number): void {
    const budget = this.budgetOf(adminKey(a), now);
    const before = this.refill(budget, now);
    budget.tokens = Math.max(0, before - 1);
    if (before >= 1 && budget.tokens < 1) {
      this.observer.audit({
        event: 'admin-budget-spent',
        ...a,
        failures: 0,
        retryAfterSeconds: secs(this.settings.slowMs),
      });
    }
  }

  private budgetOf(key: string, now: number): AdminBudget {
    const found = this.admins.get(key);
    const budget = found ?? { tokens: this.settings.adminFailuresPerMinute, at: now, nextSlot: 0, known: [] };
    if (found === undefined) touch(this.admins, key, budget, this.settings.maxEntries);
    return budget;
  }

  /** Tokens now (refilled at adminFailuresPerMinute per minute, capped at that). */
  private refill(b: AdminBudget, now: number): number {
    const cap = this.settings.adminFailuresPerMinute;
    b.tokens = Math.min(cap, b.tokens + ((now - b.at) * cap) / 60_000);
    b.at = now;
    return b.tokens;
  }

  private isKnown(b: AdminBudget, client: string): boolean {
    return (this.settings.trustLoopback && isLoopback(client)) || b.known.includes(client);
  }
}

const secs = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
const adminKey = (a: AuthAttempt): string => a.admin.toLowerCase();
const pairKey = (a: AuthAttempt): string => `${a.client}|${adminKey(a)}`;

function backoffError(ms: number, scope: string): IdnError {
  const retryAfterSeconds = secs(ms);
  return new IdnError(
    'IDN_ERR_AUTH_BACKOFF',
    `Too many wrong secrets for ${scope}: retry after ${retryAfterSeconds} s (Retry-After). ` +
      'The secret is not checked meanwhile; the real admin can log in from an address it used before or from the node host.',
    { retryAfterSeconds },
  );
}
