import { Gauge, type Registry } from 'prom-client';
import type { TransparencyLog } from './transparency-log.ts';

/** The log's gauges, read at scrape time (nothing on the write or hashing path). */
export function registerTlogMetrics(registry: Registry, log: TransparencyLog): void {
  new Gauge({
    name: 'idnode_tlog_tree_size_entries',
    help: 'Leaves in the transparency log (change-log entries hashed into the tiles).',
    registers: [registry],
    collect() {
      this.set(log.tree.size);
    },
  });
  new Gauge({
    name: 'idnode_tlog_checkpoint_size_entries',
    help: 'Tree size of the latest signed checkpoint.',
    registers: [registry],
    collect() {
      this.set(log.latest.checkpoint.size);
    },
  });
  new Gauge({
    name: 'idnode_tlog_rewritten',
    help: '1 when, at startup, the change log no longer gave the root of the checkpoint published before (the store was changed outside idnode).',
    registers: [registry],
    collect() {
      this.set(log.rewritten ? 1 : 0);
    },
  });
  new Gauge({
    name: 'idnode_tlog_follow_failing',
    help: '1 while following the change log into the tiles fails (retried on every change and checkpoint tick).',
    registers: [registry],
    collect() {
      this.set(log.failure === undefined ? 0 : 1);
    },
  });
}
