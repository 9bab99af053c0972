import { Gauge, type Registry } from 'prom-client';

export interface LagGauges {
  set(entries: number, seconds: number): void;
}

function gauge(registry: Registry, name: string, help: string): Gauge {
  // A sender restarted in the same process reuses the gauge instead of failing on re-registration.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Gauge) return existing;
  return new Gauge({ name, help, registers: [registry] });
}

/** `idnode_sync_lag_entries` / `idnode_sync_lag_seconds` on the node's registry. */
export function lagGauges(registry: Registry): LagGauges {
  const entries = gauge(
    registry,
    'idnode_sync_lag_entries',
    'Change-log entries written here but not yet acked by the top-level node.',
  );
  const seconds = gauge(
    registry,
    'idnode_sync_lag_seconds',
    'Age of the oldest change not yet acked by the top-level node (0 when caught up).',
  );
  return {
    set(e, s) {
      entries.set(e);
      seconds.set(s);
    },
  };
}
