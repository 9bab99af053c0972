import type { FuzzRequest } from '../../node/test/http/fuzz-requests.ts';

/** What a fuzz thread counts: answers, 5xx, and each distinct problem once with an example. */

export interface RouteCount {
  sent: number;
  s2xx: number;
  s3xx: number;
  s4xx: number;
  s5xx: number;
}

export interface Problem {
  count: number;
  readonly status: number;
  readonly example: string;
}

export interface Tally {
  sent: number;
  status5xx: number;
  transportErrors: number;
  readonly perRoute: Record<string, RouteCount>;
  readonly problems: Record<string, Problem>;
}

const MAX_KINDS = 60;

export const emptyTally = (): Tally => ({ sent: 0, status5xx: 0, transportErrors: 0, perRoute: {}, problems: {} });

/** Counts a problem under its route and its message with digits folded (one kind, not one per id). */
export function noteProblem(
  t: Tally,
  route: string,
  problem: string,
  req: FuzzRequest,
  status: number,
  transport = false,
): void {
  const key = `${route} | ${problem.slice(0, 90).replace(/\d+/g, 'N')}`;
  const seen = t.problems[key];
  if (seen !== undefined) seen.count++;
  else if (Object.keys(t.problems).length < MAX_KINDS || transport) {
    const body = typeof req.body === 'string' ? req.body.slice(0, 300) : '';
    const example = `${req.method ?? 'GET'} ${req.path.slice(0, 300)} ${JSON.stringify(req.headers ?? {})} ${body} -> ${problem.slice(0, 400)}`;
    t.problems[key] = { count: 1, status, example };
  }
}

/** The tallies of several threads, summed. */
export function merge(ts: readonly Tally[]): Tally {
  const out = emptyTally();
  for (const t of ts) {
    out.sent += t.sent;
    out.status5xx += t.status5xx;
    out.transportErrors += t.transportErrors;
    for (const [k, r] of Object.entries(t.perRoute)) {
      const o = (out.perRoute[k] ??= { sent: 0, s2xx: 0, s3xx: 0, s4xx: 0, s5xx: 0 });
      o.sent += r.sent;
      o.s2xx += r.s2xx;
      o.s3xx += r.s3xx;
      o.s4xx += r.s4xx;
      o.s5xx += r.s5xx;
    }
    for (const [k, p] of Object.entries(t.problems)) {
      const o = out.problems[k];
      if (o === undefined) out.problems[k] = { ...p };
      else o.count += p.count;
    }
  }
  return out;
}
