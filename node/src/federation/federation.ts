import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Readiness } from '../health/readiness.ts';
import type { FederationStageDeps, FollowStats } from '../resolve/order.ts';
import type { ResolutionService } from '../resolve/resolution-service.ts';
import type { ReadonlyStore } from '../store/store.ts';
import type { RecordService } from '../write/record-service.ts';
import type { AnswerSigner } from '../signing/answer-signer.ts';
import { readCursor } from '../sync/index.ts';
import { DelegationRegistry } from '../../../prefix-registry/src/index.ts';
import { startGrpcServer, type GrpcMount, type RunningGrpcServer } from './grpc-server.ts';
import { NodeHealthTracker } from './node-health.ts';
import { registerLinkMetrics, registerNodeMetrics } from './link-metrics.ts';
import { watchTakeovers } from './takeover-watch.ts';
import { lagGauges } from '../sync/lag-gauges.ts';
import { linkReport, NodeLink, UPSTREAM_CHECK } from './node-link.ts';
import { isLinkFailure, PeerPool, type PeerClient } from './peer-client.ts';
import { ReferralCache } from './referral-cache.ts';
import type { FederationConfig } from './config.ts';
import { channelCredentials, deriveNodeId, type TlsMaterial } from './tls-material.ts';

/**
 * Wires a node's role: the parts the resolver needs (directory, upstream, referral following) are
 * built before the app context; the gRPC server, registration and readiness after it.
 */
export interface Federation {
  readonly role: FederationConfig['role'];
  readonly selfId: string;
  readonly tls: TlsMaterial | undefined;
  readonly stageDeps: FederationStageDeps | undefined;
  readonly upstream: PeerClient | undefined;
  readonly directory: DelegationRegistry | undefined;
  /** Heartbeat freshness of registered nodes (top-level only): the admin API and console read it. */
  readonly health: NodeHealthTracker | undefined;
  /** Starts gRPC, registration and the readiness check; returns the bound gRPC port (if any). */
  start(ctx: FederationContext, mounts: readonly GrpcMount[]): Promise<number | undefined>;
  /** Health NOT_SERVING, then close the server and every peer link. */
  close(graceMs: number): Promise<void>;
}

export interface FederationContext {
  /** The peer-mode ResolutionService (no cache, no referral following). */
  readonly resolvePeer: ResolutionService;
  /** Applies the directory's decisions (top-level): the directory itself only reads the store. */
  readonly records: RecordService;
  readonly readiness: Readiness;
  readonly metricsRegistry: Registry;
  readonly httpAddress: string;
  /** Signs found answers for the nodes that relay them (ADR 0011). */
  readonly signer?: AnswerSigner;
}

const RECENT_MS = 30_000;

/** What a node's role needs: its federation settings, the host gRPC listens on, TLS material read and checked at startup. */
export interface FederationSetup {
  readonly federation: FederationConfig;
  readonly host: string;
  readonly tls: TlsMaterial | undefined;
  /** This node's negative-cache time, sent to asking nodes as their negative_ttl hint. */
  readonly negativeTtlSeconds: number;
}

export async function prepareFederation(
  setup: FederationSetup,
  store: ReadonlyStore,
  logger: Logger,
): Promise<Federation> {
  const f = setup.federation;
  const tls = setup.tls;
  const selfId = deriveNodeId(f.nodeId, tls);
  const peers = new PeerPool({ credentials: channelCredentials(tls), selfId, timeoutMs: f.upstreamTimeoutMs });
  const referrals = new ReferralCache();
  const followStats: FollowStats = { cachedRoutes: 0, followed: 0, dropped: 0 };
  const upstream = f.upstream === undefined ? undefined : peers.get(f.upstream);
  const topLevel = f.role === 'top-level';
  const directory = topLevel ? await DelegationRegistry.open(store, { rootPrefix: f.prefixes[0]! }) : undefined;
  const health = new NodeHealthTracker(f.heartbeatSeconds);
  const federated = f.role !== 'standalone';
  const stageDeps: FederationStageDeps | undefined = federated
    ? {
        selfId,
        ...(directory ? { directory, health } : {}),
        ...(upstream ? { upstream } : {}),
        peers: { resolveAt: (a, n, r) => peers.get(a, n).resolve(r), isLinkFailure },
        referrals,
        followStats,
      }
    : undefined;
  let server: RunningGrpcServer | undefined;
  let link: NodeLink | undefined;
  let stopWatch: (() => void) | undefined;

  return {
    role: f.role,
    selfId,
    tls,
    stageDeps,
    upstream,
    directory,
    health: directory === undefined ? undefined : health,
    async start(ctx, mounts) {
      if (f.grpc !== undefined) {
        server = await startGrpcServer(ctx, {
          host: setup.host,
          port: f.grpc.port,
          tls,
          selfId,
          hints: { negativeTtlSeconds: setup.negativeTtlSeconds },
          ...(directory
            ? {
                registry: {
                  directory,
                  records: ctx.records,
                  health,
                  plan: f.delegations,
                  peer: { tls: tls !== undefined },
                  appliedSeq: async (nodeId: string) => (await readCursor(store, nodeId)).appliedThrough,
                },
              }
            : {}),
          mounts,
        });
      }
      if (f.role === 'secondary' && f.upstream !== undefined && f.grpc !== undefined) {
        const advertise = f.grpc.port === 0 ? `127.0.0.1:${server!.port}` : f.grpc.advertise;
        link = new NodeLink({
          upstream: f.upstream,
          credentials: channelCredentials(tls),
          nodeId: selfId,
          grpcAdvertise: advertise,
          httpAddress: ctx.httpAddress,
          prefixes: f.prefixes,
          timeoutMs: f.upstreamTimeoutMs,
          logger,
          report: () => linkReport(ctx.readiness, () => store.lastSeq()),
        });
        link.start();
      }
      if (upstream !== undefined) addUpstreamReadiness(ctx.readiness, upstream, link);
      registerFederationMetrics(ctx.metricsRegistry, peers, followStats, referrals);
      if (link !== undefined) registerLinkMetrics(ctx.metricsRegistry, link);
      if (directory !== undefined) {
        registerNodeMetrics(ctx.metricsRegistry, health);
        // The same sync-lag series every node has: the top-level sends nothing upstream, so 0; the
        // lag of each node towards it is idnode_federation_node_sync_lag_entries{node}.
        lagGauges(ctx.metricsRegistry).set(0, 0);
        stopWatch = watchTakeovers(health, logger, ctx.metricsRegistry);
      }
      return server?.port;
    },
    async close(graceMs) {
      stopWatch?.();
      link?.stop();
      await server?.shutdown(graceMs);
      peers.close();
    },
  };
}

/** Ready when the channel to the upstream is connected or answered recently (and a secondary is registered). */
function addUpstreamReadiness(readiness: Readiness, upstream: PeerClient, link: NodeLink | undefined): void {
  upstream.connect();
  readiness.add({
    name: UPSTREAM_CHECK,
    check: () => {
      upstream.connect();
      const linkOk = upstream.connected || Date.now() - upstream.lastSuccessAt < RECENT_MS;
      return Promise.resolve(linkOk && (link === undefined || link.registered));
    },
  });
}

function registerFederationMetrics(registry: Registry, peers: PeerPool, follow: FollowStats, referrals: ReferralCache) {
  const sum = (k: 'streamRequests' | 'unaryRequests' | 'coalesced' | 'failures') =>
    peers.all().reduce((n, p) => n + p.stats[k], 0);
  new Counter({
    name: 'idnode_peer_requests_total',
    help: 'Resolution requests sent to other nodes, by transport (stream, unary), and coalesced duplicates.',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.labels('stream').inc(sum('streamRequests'));
      this.labels('unary').inc(sum('unaryRequests'));
      this.labels('coalesced').inc(sum('coalesced'));
      this.labels('failed').inc(sum('failures'));
    },
  });
  new Counter({
    name: 'idnode_referrals_total',
    help: 'Referral handling: followed (a referral received), cached_route (sent straight to a remembered node), dropped.',
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.labels('followed').inc(follow.followed);
      this.labels('cached_route').inc(follow.cachedRoutes);
      this.labels('dropped').inc(follow.dropped);
    },
  });
  new Gauge({
    name: 'idnode_referral_cache_entries',
    help: 'Prefixes with a remembered serving node.',
    registers: [registry],
    collect() {
      this.set(referrals.size);
    },
  });
}
