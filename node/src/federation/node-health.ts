import { monotonicMs } from '../auth/clock.ts';

/**
 * Heartbeat freshness per node, on the top-level node. A node is fresh while its last heartbeat
 * (or registration) is younger than `staleAfterIntervals` heartbeat intervals and it does not
 * report NOT_SERVING; a node that is not fresh has its prefixes answered from the synced copy
 * (emergency takeover) instead of by referral.
 */
export interface NodeReport {
  /** Wall time of the report, for display only. */
  readonly at: number;
  /** Monotonic time of the report: freshness is judged on this, so no wall-clock step starts a takeover. */
  readonly seenAt: number;
  readonly health: string;
  /** The node's highest change-log seq, as its last heartbeat said (0 until one says). */
  readonly lastSeq: number;
  /** This node's applied sync cursor for it when that heartbeat came. */
  readonly appliedSeq: number;
}

export class NodeHealthTracker {
  private readonly reports = new Map<string, NodeReport>();
  readonly intervalSeconds: number;
  private readonly staleAfterMs: number;

  constructor(intervalSeconds: number, staleAfterIntervals = 3) {
    this.intervalSeconds = intervalSeconds;
    this.staleAfterMs = intervalSeconds * 1000 * staleAfterIntervals;
  }

  /** A registration or heartbeat; seqs not given keep what the node reported before. */
  report(nodeId: string, health: string, seqs: { lastSeq?: number; appliedSeq?: number } = {}): void {
    const before = this.reports.get(nodeId);
    this.reports.set(nodeId, {
      at: Date.now(),
      seenAt: monotonicMs(),
      health,
      lastSeq: seqs.lastSeq ?? before?.lastSeq ?? 0,
      appliedSeq: seqs.appliedSeq ?? before?.appliedSeq ?? 0,
    });
  }

  isFresh(nodeId: string): boolean {
    const r = this.reports.get(nodeId);
    return r !== undefined && monotonicMs() - r.seenAt < this.staleAfterMs && r.health !== 'HEALTH_STATE_NOT_SERVING';
  }

  /** Takeover is active for a registered node that stopped reporting (or reports NOT_SERVING). */
  takeoverActive(nodeId: string): boolean {
    return !this.isFresh(nodeId);
  }

  /** Seconds since the node's last report (monotonic). */
  ageSeconds(report: NodeReport): number {
    return Math.max(0, (monotonicMs() - report.seenAt) / 1000);
  }

  /** Nodes that reported since this node started, with their last report (metrics). */
  nodes(): ReadonlyMap<string, NodeReport> {
    return this.reports;
  }

  /** Entries the node had written but this node had not applied, at its last heartbeat. */
  syncLag(nodeId: string): number {
    const r = this.reports.get(nodeId);
    return r === undefined ? 0 : Math.max(0, r.lastSeq - r.appliedSeq);
  }
}
