import type { CrashLedger } from './crash-ledger.ts';

/**
 * The mixed write load of a crash round, over real HTTP: single PUTs (some keys rewritten, so
 * versions climb), put-then-delete pairs, one NDJSON batch per round under an Idempotency-Key, and
 * serial ranges under Idempotency-Keys. Every answer goes to the ledger; a request cut by the
 * crash is simply unacknowledged. After a restart `resume` sends the cut batch and the unanswered
 * serial requests again with their keys: what was stored must replay, the rest is stored.
 */

export const PREFIX = '88.100.5';
export const BATCH_LINES = 1500;

interface Target {
  readonly url: string;
  readonly auth: string;
}

interface LineAnswer {
  readonly position: number;
  readonly ok: boolean;
  readonly version?: number;
  readonly replayed?: boolean;
}

async function send(t: Target, method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  try {
    const res = await fetch(`${t.url}${path}`, {
      method,
      // No content-type without a body: Fastify refuses an empty JSON body (a DELETE would fail).
      headers: {
        authorization: t.auth,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  } catch {
    return { status: 0, body: {} };
  }
}

const record = (suffix: string): string =>
  JSON.stringify({ values: [{ index: 1, type: 'URL', data: `https://passport.example/${suffix}` }] });

const batchBody = (round: number): string =>
  Array.from({ length: BATCH_LINES }, (_, i) =>
    JSON.stringify({
      suffix: `B${round}-${i}`,
      values: [{ index: 1, type: 'URL', data: `https://passport.example/b/${i}` }],
    }),
  ).join('\n') + '\n';

export class MixedLoad {
  #stopped = false;
  #workers: Promise<void>[] = [];
  #n = 0;
  #serials = 0;
  acks = 0;
  /** Acknowledged puts, deletes and serial ranges (batch lines come hundreds at a time). */
  singles = 0;
  readonly #t: Target;
  readonly #ledger: CrashLedger;
  readonly #round: number;
  /** Batches and serial requests whose answer the crash may have cut: sent again by `resume`. */
  readonly unanswered: { batches: Set<number>; serials: Set<string> };

  constructor(t: Target, ledger: CrashLedger, round: number, unanswered: MixedLoad['unanswered']) {
    this.#t = t;
    this.#ledger = ledger;
    this.#round = round;
    this.unanswered = unanswered;
  }

  start(): void {
    this.#workers = [
      this.#loop(() => this.#put()),
      this.#loop(() => this.#put()),
      this.#loop(() => this.#put()),
      this.#loop(() => this.#putThenDelete()),
      this.#loop(() => this.#serial()),
      this.batch(this.#round).then(() => undefined),
    ];
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await Promise.all(this.#workers);
  }

  async #loop(step: () => Promise<void>): Promise<void> {
    while (!this.#stopped) await step();
  }

  async #put(): Promise<void> {
    const n = this.#n++;
    const suffix = n % 5 === 0 ? `HOT-${n % 20}` : `P${this.#round}-${n}`;
    const r = await send(this.#t, 'PUT', `/api/handles/${PREFIX}/${suffix}`, record(suffix));
    if (r.status === 200 || r.status === 201) {
      this.#ledger.ackPut(`${PREFIX}/${suffix}`.toLowerCase(), r.body.version as number);
      this.acks++;
      this.singles++;
    }
  }

  async #putThenDelete(): Promise<void> {
    const suffix = `D${this.#round}-${this.#n++}`;
    const key = `${PREFIX}/${suffix}`.toLowerCase();
    const r = await send(this.#t, 'PUT', `/api/handles/${PREFIX}/${suffix}`, record(suffix));
    if (r.status !== 201) return;
    this.#ledger.ackPut(key, r.body.version as number);
    const d = await send(this.#t, 'DELETE', `/api/handles/${PREFIX}/${suffix}`);
    if (d.status === 200) {
      this.#ledger.deletes.set(key, d.body.version as number);
      this.acks++;
      this.singles++;
    }
  }

  async #serial(): Promise<void> {
    const key = `crash-serial-${this.#round}-${this.#serials++}`;
    this.unanswered.serials.add(key);
    await this.serial(key);
  }

  /** One serial request under `key`; answered ones leave `unanswered`. */
  async serial(key: string): Promise<boolean> {
    const body = JSON.stringify({ count: 100, pattern: 'SN-{n:9}' });
    const r = await send(this.#t, 'POST', `/api/admin/prefixes/${PREFIX}/serials`, body, { 'idempotency-key': key });
    if (r.status !== 200 && r.status !== 201) return false;
    this.#ledger.serial(key, r.body as { first: number; last: number; replayed?: boolean });
    this.unanswered.serials.delete(key);
    this.acks++;
    this.singles++;
    return true;
  }

  /** The whole batch of `round` under its key; true when every line was answered. */
  async batch(round: number): Promise<boolean> {
    const key = `crash-batch-${round}`;
    this.unanswered.batches.add(round);
    let answered = 0;
    const onLine = (line: string): void => {
      const a = JSON.parse(line) as LineAnswer;
      this.#ledger.batchLine(key, a.position, a);
      if (a.ok) answered++;
    };
    try {
      const res = await fetch(`${this.#t.url}/api/admin/prefixes/${PREFIX}/identifiers:batch`, {
        method: 'POST',
        headers: { authorization: this.#t.auth, 'content-type': 'application/x-ndjson', 'idempotency-key': key },
        body: batchBody(round),
        signal: AbortSignal.timeout(60_000),
      });
      // Line by line as they stream, so the lines answered before a crash count as acknowledged.
      let buf = '';
      const decoder = new TextDecoder();
      for await (const chunk of res.body ?? []) {
        buf += decoder.decode(chunk as Uint8Array, { stream: true });
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) if (line !== '') onLine(line);
      }
    } catch {
      // Cut by the crash: the lines read so far stand.
    }
    const complete = answered === BATCH_LINES;
    if (complete) this.unanswered.batches.delete(round);
    this.acks += answered;
    return complete;
  }
}
