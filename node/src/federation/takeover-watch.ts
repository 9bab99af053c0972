import { Counter, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { NodeHealthTracker } from './node-health.ts';

/**
 * The top-level node's freshness of a delegated node is judged lazily, per answer; nothing marks
 * the moment a node goes silent. This watch looks once per heartbeat interval and logs (and counts)
 * each change: a node going silent starts a takeover, its heartbeat coming back ends it. The `node`
 * label takes registered node ids only, bounded by the delegation plan.
 */
export function watchTakeovers(health: NodeHealthTracker, logger: Logger, registry: Registry): () => void {
  const events = new Counter({
    name: 'idnode_federation_takeover_events_total',
    help: 'Takeover starts (a delegated node went silent or reported NOT_SERVING) and ends (it reported serving again).',
    labelNames: ['node', 'event'] as const,
    registers: [registry],
  });
  const takenOver = new Set<string>();
  const look = (): void => {
    for (const [id, report] of health.nodes()) {
      const active = health.takeoverActive(id);
      if (active === takenOver.has(id)) continue;
      const ageSeconds = Math.round(health.ageSeconds(report) * 10) / 10;
      if (active) {
        takenOver.add(id);
        events.labels(id, 'start').inc();
        logger.warn(
          {
            log: 'federation',
            event: 'takeover-start',
            node: id,
            heartbeatAgeSeconds: ageSeconds,
            health: report.health,
          },
          `node ${id} is silent (last heartbeat ${ageSeconds} s ago, ${report.health}): takeover started, its prefixes are answered from the synced copy`,
        );
      } else {
        takenOver.delete(id);
        events.labels(id, 'end').inc();
        logger.info(
          { log: 'federation', event: 'takeover-end', node: id },
          `node ${id} is back (heartbeat received): takeover ended, its prefixes are referred to it again`,
        );
      }
    }
  };
  const timer = setInterval(look, health.intervalSeconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
