import type { FastifyInstance } from 'fastify';
import type { AppContext } from './app-context.ts';
import { PressureGauge, shedInFront, type ShedSettings } from './shedding.ts';

/** The pressure gauge of a server built with `shed` (tests judge samples into it). */
export const pressureOf = new WeakMap<FastifyInstance, PressureGauge>();

/**
 * Wires shedding into a built server: the gauge in front of fastify's handler, readiness failing
 * with `pressure` while it sheds (liveness untouched), the metrics, the timer stopped on close.
 */
export function installShedding(app: FastifyInstance, ctx: AppContext, settings: ShedSettings): PressureGauge {
  const gauge = new PressureGauge(settings);
  shedInFront(app.server, gauge, settings);
  ctx.readiness.add({ name: 'pressure', check: () => Promise.resolve(!gauge.overloaded) });
  ctx.metrics.watchPressure(() => ({
    shed: gauge.shed,
    overloaded: gauge.overloaded,
    eventLoopDelayMs: gauge.last.eventLoopDelayMs,
  }));
  app.addHook('onReady', (done) => (gauge.start(), done()));
  app.addHook('onClose', (_app, done) => (gauge.stop(), done()));
  pressureOf.set(app, gauge);
  return gauge;
}
