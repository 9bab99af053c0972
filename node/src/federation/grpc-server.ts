import { Server } from '@grpc/grpc-js';
import type { Readiness } from '../health/readiness.ts';
import type { ResolutionService } from '../resolve/resolution-service.ts';
import { HealthImplementation, registryService, resolutionService } from '../../../proto/load.ts';
import { createRegistryHandlers, type RegistryServiceDeps } from './registry-service.ts';
import { createResolutionHandlers } from './resolution-service.ts';
import type { AnswerHints } from './wire.ts';
import type { AnswerSigner } from '../signing/answer-signer.ts';
import { serverCredentials, type TlsMaterial } from './tls-material.ts';

/** Adds a service to the node's gRPC server (the Sync service comes in through one of these). */
export type GrpcMount = (server: Server) => void;

/** What the server needs from the node: its peer resolver and readiness. */
export interface GrpcNodeContext {
  /** The peer-mode ResolutionService (no cache, no referral following). */
  readonly resolvePeer: ResolutionService;
  readonly readiness: Readiness;
  /** Signs found answers for the nodes that relay them (ADR 0011). */
  readonly signer?: AnswerSigner;
}

export interface GrpcServerConfig {
  readonly host: string;
  /** 0 = ephemeral (tests); the bound port is returned. */
  readonly port: number;
  /** undefined = insecure (only when the config allowed it). */
  readonly tls: TlsMaterial | undefined;
  readonly selfId: string;
  /** Cache hints this node gives the nodes that ask it (negative_ttl). */
  readonly hints?: AnswerHints;
  /** Top-level only: the Registry service. */
  readonly registry?: RegistryServiceDeps;
  readonly mounts?: readonly GrpcMount[];
}

export interface RunningGrpcServer {
  readonly port: number;
  readonly server: Server;
  readonly health: HealthImplementation;
  /** NOT_SERVING first, then a graceful shutdown bounded by `graceMs`. */
  shutdown(graceMs: number): Promise<void>;
}

const SERVICES = ['', 'idnode.v1.Resolution', 'idnode.v1.Registry'] as const;

function bind(server: Server, address: string, tls: TlsMaterial | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, serverCredentials(tls), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** Mirrors readiness into grpc.health.v1, so peers and probes see what /readyz sees. */
function followReadiness(health: HealthImplementation, readiness: Readiness): NodeJS.Timeout {
  const timer = setInterval(() => {
    void readiness.report().then((r) => {
      for (const s of SERVICES) health.setStatus(s, r.ready ? 'SERVING' : 'NOT_SERVING');
    });
  }, 1000);
  timer.unref();
  return timer;
}

export async function startGrpcServer(ctx: GrpcNodeContext, cfg: GrpcServerConfig): Promise<RunningGrpcServer> {
  const server = new Server({
    'grpc.max_receive_message_length': 1024 * 1024,
    'grpc.max_concurrent_streams': 1000,
    // Peers keep one long-lived ResolveStream open; allow their keepalive pings.
    'grpc.keepalive_permit_without_calls': 1,
  });
  const health = new HealthImplementation({ '': 'SERVING', 'idnode.v1.Resolution': 'SERVING' });
  health.addToServer(server);
  const resolution = createResolutionHandlers({
    selfId: cfg.selfId,
    resolvePeer: ctx.resolvePeer,
    hints: cfg.hints,
    ...(ctx.signer === undefined ? {} : { signer: ctx.signer }),
  });
  server.addService(resolutionService, resolution);
  if (cfg.registry !== undefined) {
    server.addService(registryService, createRegistryHandlers(cfg.registry));
    health.setStatus('idnode.v1.Registry', 'SERVING');
  }
  for (const mount of cfg.mounts ?? []) mount(server);
  const host = cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host;
  const port = await bind(server, `${host}:${cfg.port}`, cfg.tls);
  const timer = followReadiness(health, ctx.readiness);
  return {
    port,
    server,
    health,
    async shutdown(graceMs) {
      clearInterval(timer);
      for (const s of SERVICES) health.setStatus(s, 'NOT_SERVING');
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
