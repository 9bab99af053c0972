import type { NodeMetrics } from '../observability/metrics.ts';

/** A named check of something the node needs to serve (the store, the upstream link). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<boolean>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly failing: readonly string[];
}

/**
 * Readiness: every check passes and the node is not draining. On shutdown the node turns
 * not-ready first (load balancers stop sending), then drains, then exits.
 */
export class Readiness {
  private readonly checks: ReadinessCheck[] = [];
  private draining = false;
  private readonly metrics: NodeMetrics | undefined;

  constructor(metrics?: NodeMetrics) {
    this.metrics = metrics;
    if (metrics) metrics.readinessProbe = () => this.report();
  }

  add(check: ReadinessCheck): void {
    this.checks.push(check);
  }

  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async report(): Promise<ReadinessReport> {
    const results = await Promise.all(this.checks.map(async (c) => [c.name, await safely(c)] as const));
    const failing = results.filter(([, ok]) => !ok).map(([name]) => name);
    for (const [name, ok] of results) this.metrics?.ready.labels(name).set(ok ? 1 : 0);
    if (this.draining) failing.push('shutting-down');
    return { ready: failing.length === 0, failing };
  }
}

async function safely(c: ReadinessCheck): Promise<boolean> {
  try {
    return await c.check();
  } catch {
    return false;
  }
}
