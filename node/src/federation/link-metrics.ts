import { Gauge, type Registry } from 'prom-client';
import type { NodeHealthTracker } from './node-health.ts';
import type { NodeLink } from './node-link.ts';

/*
 * What heartbeats carry, as metrics. The `node` label on the top-level node takes the ids of
 * registered nodes only: bounded by the operator's delegation plan, never by traffic.
 */

/** A secondary: what the top-level node said in its last heartbeat answer. */
export function registerLinkMetrics(registry: Registry, link: NodeLink): void {
  new Gauge({
    name: 'idnode_federation_takeover_active',
    help: '1 when the last heartbeat answer said the top-level node answers for the prefixes of this node from its synced copy (emergency takeover).',
    registers: [registry],
    collect() {
      this.set(link.takeoverActive ? 1 : 0);
    },
  });
  new Gauge({
    name: 'idnode_federation_upstream_applied_seq',
    help: 'The highest change-log seq of this node the top-level node has applied, as its last heartbeat answer said.',
    registers: [registry],
    collect() {
      this.set(link.upstreamAppliedSeq);
    },
  });
}

/** The top-level node: per registered node, its sync lag at its last heartbeat and whether takeover is on. */
export function registerNodeMetrics(registry: Registry, health: NodeHealthTracker): void {
  new Gauge({
    name: 'idnode_federation_node_sync_lag_entries',
    help: 'Change-log entries a node had written but this node had not applied from its sync stream, at its last heartbeat.',
    labelNames: ['node'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const id of health.nodes().keys()) this.labels(id).set(health.syncLag(id));
    },
  });
  new Gauge({
    name: 'idnode_federation_node_takeover_active',
    help: '1 while this node answers for the prefixes of a node from its synced copy (silent, or reporting NOT_SERVING).',
    labelNames: ['node'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const id of health.nodes().keys()) this.labels(id).set(health.takeoverActive(id) ? 1 : 0);
    },
  });
}
