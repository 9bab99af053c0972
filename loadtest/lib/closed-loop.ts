import autocannon from 'autocannon';
import type { Measurement, NextRequest } from './measurement.ts';
import { latencyHistogram, percentiles, round } from './stats.ts';

/**
 * Closed loop (fixed connections, no rate): each connection sends its next request when the last
 * answered, so this measures throughput. Latency here is service time under saturation, not what a
 * client at a given rate sees: the open-loop generator answers that.
 */

export interface ClosedLoopOptions {
  readonly url: string;
  readonly connections: number;
  readonly durationS: number;
  readonly next: NextRequest;
  readonly expectStatus: readonly number[];
}

function toAutocannonRequest(next: NextRequest): autocannon.Request {
  // Every scenario, the baseline included, goes through setupRequest: same client-side cost.
  return {
    setupRequest: (req) => {
      const spec = next();
      return { ...req, method: spec.method, path: spec.path, headers: { ...spec.headers }, body: spec.body ?? '' };
    },
  };
}

export async function runClosedLoop(opts: ClosedLoopOptions): Promise<Measurement> {
  const hist = latencyHistogram();
  const statusCounts: Record<string, number> = {};
  const expected = new Set(opts.expectStatus);
  let unexpected = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        connections: opts.connections,
        duration: opts.durationS,
        timeout: 10,
        requests: [toAutocannonRequest(opts.next)],
      },
      (err, res) => (err ? reject(err as Error) : resolve(res)),
    );
    instance.on('response', (_client, status, _bytes, responseTimeMs) => {
      hist.recordValue(Math.max(1, Math.round(responseTimeMs * 1000)));
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
      if (!expected.has(status)) unexpected++;
    });
  });
  const durationS = result.duration > 0 ? result.duration : opts.durationS;
  const completed = result.requests.total;
  return {
    rps: round(completed / durationS, 1),
    completed,
    errors: result.errors + result.timeouts + unexpected,
    durationS: round(durationS, 2),
    statusCounts,
    ...percentiles(hist),
  };
}
