import type { ChannelCredentials } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { RegistryClient, type RegistryClientType } from '../../../proto/load.ts';
import type { RegisterNodeResponse__Output } from '../../../proto/generated/idnode/v1/RegisterNodeResponse.generated.ts';
import { channelOptions } from './peer-client.ts';

/**
 * A secondary node's link to the top-level node's Registry: register (claiming the homed
 * prefixes), then heartbeat at the interval the top-level asks for. Registration retries with
 * backoff until the top-level answers, so start order does not matter.
 */
export interface NodeLinkOptions {
  readonly upstream: string;
  readonly credentials: ChannelCredentials;
  readonly nodeId: string;
  readonly grpcAdvertise: string;
  readonly httpAddress: string;
  readonly prefixes: readonly string[];
  readonly timeoutMs: number;
  readonly logger: Logger;
}

export class NodeLink {
  /** Set once the top-level accepted the registration. */
  registered = false;
  lastHeartbeatAt = 0;
  confirmed: readonly string[] = [];
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
        certIdentity: o.nodeId,
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
    this.later(Math.max(1, seconds) * 1000, () => void this.heartbeat());
  }

  private heartbeat(): void {
    const req = { nodeId: this.opts.nodeId, health: 'HEALTH_STATE_SERVING' as const, at: new Date().toISOString() };
    this.client.Heartbeat(req, { deadline: this.deadline() }, (err, res) => {
      if (err === null && res !== undefined) {
        this.lastHeartbeatAt = Date.now();
        this.heartbeatLater(res.nextHeartbeatSeconds);
        return;
      }
      // The top-level may have restarted without us: register again (idempotent).
      if (err?.details?.includes('IDN_ERR_NODE_NOT_FOUND')) void this.register(200);
      else this.heartbeatLater(1);
    });
  }
}
