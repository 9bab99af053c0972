/**
 * Heartbeat freshness per node, on the top-level node. A node is fresh while its last heartbeat
 * (or registration) is younger than `staleAfterIntervals` heartbeat intervals; a stale node's
 * prefixes are answered from the synced copy (emergency takeover) instead of by referral.
 */
export interface NodeReport {
  readonly at: number;
  readonly health: string;
}

export class NodeHealthTracker {
  private readonly reports = new Map<string, NodeReport>();
  readonly intervalSeconds: number;
  private readonly staleAfterMs: number;

  constructor(intervalSeconds: number, staleAfterIntervals = 3) {
    this.intervalSeconds = intervalSeconds;
    this.staleAfterMs = intervalSeconds * 1000 * staleAfterIntervals;
  }

  report(nodeId: string, health: string): void {
    this.reports.set(nodeId, { at: Date.now(), health });
  }

  isFresh(nodeId: string): boolean {
    const r = this.reports.get(nodeId);
    return r !== undefined && Date.now() - r.at < this.staleAfterMs && r.health !== 'HEALTH_STATE_NOT_SERVING';
  }

  /** Takeover is active for a registered node that stopped reporting. */
  takeoverActive(nodeId: string): boolean {
    return !this.isFresh(nodeId);
  }
}
