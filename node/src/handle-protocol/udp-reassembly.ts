import type { Envelope } from './message.ts';
import { UDP_CHUNK } from './protocol.ts';

interface Assembly {
  readonly total: number;
  readonly buf: Buffer;
  readonly seen: Set<number>;
  readonly expiresAt: number;
}

/**
 * Multi-packet UDP requests, keyed by source and RequestId (CNRI HdlUdpRequestHandler): packet i
 * holds bytes [492 i, 492 i + 492) of the message. Bounded in count and time; memory at most
 * maxAssemblies x 262,144 bytes (the largest MessageLength decodeEnvelope lets through).
 */
export class Reassembly {
  private readonly open = new Map<string, Assembly>();
  private readonly max: number;
  private readonly timeoutMs: number;

  constructor(max: number, timeoutMs: number) {
    this.max = max;
    this.timeoutMs = timeoutMs;
  }

  /** The whole message once its last packet arrived; 'dropped' for a packet that cannot belong. */
  add(key: string, env: Envelope, payload: Buffer): Buffer | 'dropped' | undefined {
    const now = Date.now();
    this.sweep(now);
    let a = this.open.get(key);
    if (a === undefined) {
      if (this.open.size >= this.max) return 'dropped';
      a = {
        total: env.messageLength,
        buf: Buffer.alloc(env.messageLength),
        seen: new Set(),
        expiresAt: now + this.timeoutMs,
      };
      this.open.set(key, a);
    }
    const packets = Math.ceil(a.total / UDP_CHUNK);
    const i = env.sequence;
    const expected = i === packets - 1 ? a.total - i * UDP_CHUNK : UDP_CHUNK;
    if (env.messageLength !== a.total || i >= packets || payload.length !== expected) {
      this.open.delete(key);
      return 'dropped';
    }
    payload.copy(a.buf, i * UDP_CHUNK);
    a.seen.add(i);
    if (a.seen.size < packets) return undefined;
    this.open.delete(key);
    return a.buf;
  }

  private sweep(now: number): void {
    for (const [k, a] of this.open) {
      if (a.expiresAt > now) break;
      this.open.delete(k);
    }
  }
}
