import { randomBytes } from 'node:crypto';
import { IdnError } from '../../errors/idn-error.ts';
import { newNonce } from '../handle-challenge/nonce.ts';
import type { Identity } from '../identity.ts';
import { monotonicMs, wallClock } from '../clock.ts';

/**
 * REST sessions as Handle.Net 9 offers them (POST /api/sessions): a random session id and a
 * server nonce; the client proves an admin's secret key against that nonce (auth/sessions/
 * handle-header.ts) and then sends only the session id. Held in memory (a restart or another
 * instance forgets them: the client starts a new one), bounded in count, expiring: a session not
 * used for `ttlMs` is gone, and one never authenticated lives only `pendingTtlMs`.
 */

export interface SessionSettings {
  /** Idle lifetime of a session, ms. */
  readonly ttlMs: number;
  /** Most sessions held at once. */
  readonly max: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = { ttlMs: 30 * 60_000, max: 10_000 };
/** A session nobody authenticated in this long is dropped (enough for a client to compute its answer). */
const PENDING_TTL_MS = 60_000;

export interface HandleSession {
  readonly id: string;
  readonly nonce: Buffer;
  /** Set once a challenge answer proved an admin's secret key. */
  identity: Identity | undefined;
  expiresAt: number;
  /** Wrong answers so far: the session ends at MAX_FAILURES (no guessing against one nonce). */
  failures: number;
}

/** Wrong challenge answers one session takes before it ends. */
export const MAX_FAILURES = 5;

export class SessionStore {
  readonly #sessions = new Map<string, HandleSession>();
  readonly #settings: SessionSettings;
  readonly #now: () => number;

  constructor(settings: SessionSettings = DEFAULT_SESSION_SETTINGS, now: () => number = monotonicMs) {
    this.#settings = settings;
    this.#now = now;
  }

  /** When the session ends, as wall time for a client (its expiry itself runs on this store's clock). */
  expiresAtWallMs(session: HandleSession): number {
    return wallClock.nowMs() + (session.expiresAt - this.#now());
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** A new, unauthenticated session; refused with IDN_ERR_SESSION_LIMIT when full of authenticated ones. */
  open(): HandleSession {
    if (this.#sessions.size >= this.#settings.max) this.#makeRoom();
    const session = {
      id: randomBytes(24).toString('base64url'),
      nonce: newNonce(),
      identity: undefined,
      failures: 0,
      expiresAt: this.#now() + Math.min(PENDING_TTL_MS, this.#settings.ttlMs),
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session, its idle time restarted; IDN_ERR_SESSION_EXPIRED when unknown or expired. */
  use(id: string): HandleSession {
    const session = this.#sessions.get(id);
    if (session === undefined || session.expiresAt <= this.#now()) {
      if (session) this.#sessions.delete(id);
      throw new IdnError('IDN_ERR_SESSION_EXPIRED');
    }
    if (session.identity !== undefined) session.expiresAt = this.#now() + this.#settings.ttlMs;
    return session;
  }

  authenticated(session: HandleSession, identity: Identity): void {
    session.identity = identity;
    session.expiresAt = this.#now() + this.#settings.ttlMs;
  }

  /** A wrong answer: the session ends at MAX_FAILURES. */
  failed(session: HandleSession): void {
    session.failures += 1;
    if (session.failures >= MAX_FAILURES) this.#sessions.delete(session.id);
  }

  close(id: string): boolean {
    return this.#sessions.delete(id);
  }

  /**
   * Expired sessions go first, then the oldest never-authenticated one (so a flood of POSTs cannot
   * push out admins who logged in); full of authenticated sessions, a new one is refused.
   */
  #makeRoom(): void {
    const now = this.#now();
    let pending: string | undefined;
    for (const [id, s] of this.#sessions) {
      if (s.expiresAt <= now) this.#sessions.delete(id);
      else if (pending === undefined && s.identity === undefined) pending = id;
    }
    if (this.#sessions.size < this.#settings.max) return;
    if (pending === undefined) throw new IdnError('IDN_ERR_SESSION_LIMIT');
    this.#sessions.delete(pending);
  }
}
