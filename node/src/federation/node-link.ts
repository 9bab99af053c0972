import type { ChannelCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { RegistryClient, type RegistryClientType } from '../../../proto/load.ts';
import type { HealthState } from '../../../proto/generated/idnode/v1/HealthState.generated.ts';
import type { HeartbeatResponse__Output } from '../../../proto/generated/idnode/v1/HeartbeatResponse.generated.ts';
import type { RegisterNodeResponse__Output } from '../../../proto/generated/idnode/v1/RegisterNodeResponse.generated.ts';
import { channelOptions } from './peer-client.ts';

/**
 * A secondary node's link to the top-level node's Registry: register (claiming the homed
 * prefixes), then heartbeat at the interval the top-level asks for, with the node's real health
 * and last change-log seq. The answer says how far the top-level's synced copy got and whether it
 * answers for this node (takeover). Registration retries with backoff until the top-level answers,
 * so start order does not matter.
 */

/** What a heartbeat reports about this node. */
export interface LinkReport {
  readonly health: Extract<HealthState, string>;
  /** 0 when the node cannot read its own change log (the top-level keeps the last one it got). */
  readonly lastSeq: number;
}
export interface NodeLinkOptions {
  readonly upstream: string;
  readonly credentials: ChannelCredentials;
  readonly nodeId: string;
  readonly grpcAdvertise: string;
  readonly httpAddress: string;
  readonly prefixes: readonly string[];
  readonly timeoutMs: number;
  readonly logger: Logger;
  /** Asked before each heartbeat. */
  report(): Promise<LinkReport>;
}

export class NodeLink {
  /** Set once the top-level accepted the registration. */
  registered = false;
  lastHeartbeatAt = 0;
  confirmed: readonly string[] = [];
  /** From the last heartbeat answer: the top-level's applied sync cursor for this node. */
  upstreamAppliedSeq = 0;
  /** From the last heartbeat answer: the top-level answers for this node's prefixes (emergency takeover). */
  takeoverActive = false;
  private readonly client: RegistryClientType;
  private readonly opts: NodeLinkOptions;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(opts: NodeLinkOptions) {
    this.opts = opts;
    this.client = new RegistryClient(opts.upstream, opts.credentials, channelOptions(undefined));
  }

  start(): void {
    void this.register(200);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.client.close();
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    this.timer = setTimeout(fn, ms);
    this.timer.unref();
  }

  private deadline(): Date {
    return new Date(Date.now() + this.opts.timeoutMs);
  }

  private async register(backoffMs: number): Promise<void> {
    const o = this.opts;
    const request = {
      node: {
        nodeId: o.nodeId,
        role: 'NODE_ROLE_SECONDARY' as const,
        grpcAddress: o.grpcAdvertise,
        httpAddress: o.httpAddress,
      },
      claimedPrefixes: [...o.prefixes],
    };
    const res = await new Promise<RegisterNodeResponse__Output | Error>((resolve) =>
      this.client.RegisterNode(request, { deadline: this.deadline() }, (err, r) =>
        resolve(err ?? r ?? new Error('empty')),
      ),
    );
    if (res instanceof Error) {
      o.logger.warn(
        { err: res.message, upstream: o.upstream },
        'registration with the top-level node failed; retrying',
      );
      this.later(backoffMs, () => void this.register(Math.min(backoffMs * 2, 10_000)));
      return;
    }
    this.registered = true;
    this.lastHeartbeatAt = Date.now();
    this.confirmed = res.claims.filter((c) => c.confirmed).map((c) => c.prefix);
    for (const c of res.claims.filter((x) => !x.confirmed)) {
      o.logger.warn(
        { prefix: c.prefix, error: c.error?.code, message: c.error?.message },
        'prefix claim not confirmed by the top-level node',
      );
    }
    o.logger.info({ upstream: o.upstream, confirmed: this.confirmed }, 'registered with the top-level node');
    this.heartbeatLater(res.heartbeatIntervalSeconds);
  }

  private heartbeatLater(seconds: number): void {
    this.later(Math.max(1, seconds) * 1000, () => void this.heartbeat().catch(() => this.heartbeatLater(1)));
  }

  private async heartbeat(): Promise<void> {
    const report = await this.opts.report();
    const req = { nodeId: this.opts.nodeId, ...report, at: new Date().toISOString() };
    this.client.Heartbeat(req, { deadline: this.deadline() }, (err, res) => {
      if (err === null && res !== undefined) {
        this.lastHeartbeatAt = Date.now();
        this.answered(res);
        this.heartbeatLater(res.nextHeartbeatSeconds);
        return;
      }
      // The top-level may have restarted without us: register again (idempotent).
      if (err?.details?.includes('IDN_ERR_NODE_NOT_FOUND')) void this.register(200);
      else this.heartbeatLater(1);
    });
  }

  private answered(res: HeartbeatResponse__Output): void {
    this.upstreamAppliedSeq = res.appliedSeq;
    if (res.takeoverActive !== this.takeoverActive) {
      const msg = res.takeoverActive
        ? 'the top-level node answers for the prefixes of this node from its synced copy (emergency takeover)'
        : 'the top-level node no longer answers for the prefixes of this node';
      this.opts.logger.warn({ upstream: this.opts.upstream, appliedSeq: res.appliedSeq }, msg);
    }
    this.takeoverActive = res.takeoverActive;
  }
}

/** Healthy unless a check other than the link to the upstream fails (store down, draining). */
export async function linkReport(
  readiness: { report(): Promise<{ failing: readonly string[] }> },
  lastSeq: () => Promise<number>,
): Promise<LinkReport> {
  const { failing } = await readiness.report();
  const serving = failing.every((name) => name === UPSTREAM_CHECK);
  const seq = await lastSeq().catch(() => 0);
  return { health: serving ? 'HEALTH_STATE_SERVING' : 'HEALTH_STATE_NOT_SERVING', lastSeq: seq };
}

/** The readiness check of the link itself (federation.ts): it says nothing about the node's own health. */
export const UPSTREAM_CHECK = 'upstream';
