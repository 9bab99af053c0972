import { randomBytes, randomInt } from 'node:crypto';
import type { RequestMessage } from './message.ts';
import type { Version } from './respond.ts';

/**
 * Pending challenges, keyed by the session id the 402 carried (research §5.1): CNRI clients send
 * the answer on a new TCP connection, so they live in server state, not in the connection. Each
 * expires after 20 s (CNRI max_auth_time); the table is bounded, the oldest dropped first.
 */
export interface Pending {
  readonly request: RequestMessage;
  readonly nonce: Buffer;
  /** The raw digest of the request (no code byte), as the client signs it with the nonce. */
  readonly digest: Buffer;
  readonly version: Version;
  readonly expiresAt: number;
}

export const CHALLENGE_TTL_MS = 20_000;
export const NONCE_BYTES = 16;

export class ChallengeTable {
  private readonly pending = new Map<number, Pending>();
  private next = randomInt(1, 0x3fffffff);
  private readonly max: number;
  private readonly now: () => number;

  constructor(max = 10_000, now: () => number = Date.now) {
    this.max = max;
    this.now = now;
  }

  get size(): number {
    return this.pending.size;
  }

  open(request: RequestMessage, digest: Buffer, version: Version): { sessionId: number; nonce: Buffer } {
    this.sweep();
    if (this.pending.size >= this.max) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    // Never 0 (no session) and never reused while pending.
    this.next = this.next >= 0x7ffffffe ? 1 : this.next + 1;
    const sessionId = this.next;
    const nonce = randomBytes(NONCE_BYTES);
    // The request's buffers may be views of a connection's buffer: keep copies.
    const kept = { ...request, body: Buffer.from(request.body), signed: Buffer.from(request.signed) };
    this.pending.set(sessionId, { request: kept, nonce, digest, version, expiresAt: this.now() + CHALLENGE_TTL_MS });
    return { sessionId, nonce };
  }

  /** The pending challenge of this session, once (an answer consumes it); undefined when unknown or expired. */
  take(sessionId: number): Pending | undefined {
    const p = this.pending.get(sessionId);
    if (p === undefined) return undefined;
    this.pending.delete(sessionId);
    return p.expiresAt > this.now() ? p : undefined;
  }

  private sweep(): void {
    const now = this.now();
    // Insertion order is expiry order: stop at the first live one.
    for (const [id, p] of this.pending) {
      if (p.expiresAt > now) break;
      this.pending.delete(id);
    }
  }
}
