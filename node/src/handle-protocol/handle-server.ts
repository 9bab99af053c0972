import type { Socket as UdpSocket } from 'node:dgram';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { ResolutionService } from '../resolve/resolution-service.ts';
import type { RecordService } from '../write/record-service.ts';
import type { ChallengeVerifier } from './admin-op.ts';
import { ChallengeTable } from './challenges.ts';
import { HandleDispatcher } from './dispatcher.ts';
import type { HandleMetrics } from './metrics.ts';
import { createTcpServer, type TcpLimits } from './tcp-server.ts';
import { createUdpSocket, type UdpLimits } from './udp-server.ts';

export interface HandleServerOptions {
  readonly host: string;
  /** 0: an ephemeral TCP port, then UDP on the same number. */
  readonly port: number;
  readonly resolution: ResolutionService;
  readonly records: RecordService;
  /** This node's HS_SITE value, given the port bound (site-info.ts encodeSiteInfo). */
  readonly siteFor: (port: number) => Buffer;
  readonly siteSerial: number;
  /** Checks challenge answers (secret-key-verifier.ts). */
  readonly verifier: ChallengeVerifier;
  readonly metrics?: HandleMetrics;
  readonly tcp?: Partial<TcpLimits>;
  readonly udp?: Partial<UdpLimits>;
}

export interface HandleServer {
  readonly port: number;
  /** The HS_SITE value served by GET_SITE_INFO (and written on the homed prefixes' 0.NA records). */
  readonly siteInfo: Buffer;
  close(): Promise<void>;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** The Handle protocol transport: one dispatcher, TCP and UDP on one port. */
export async function startHandleServer(o: HandleServerOptions): Promise<HandleServer> {
  const admin = {
    records: o.records,
    challenges: new ChallengeTable(),
    verifier: o.verifier,
    nowSeconds,
  };
  let siteInfo: Buffer = Buffer.alloc(0);
  const dispatcher = new HandleDispatcher({
    resolution: o.resolution,
    admin,
    siteInfo: () => siteInfo,
    siteSerial: o.siteSerial,
    nowSeconds,
    ...(o.metrics ? { metrics: o.metrics } : {}),
  });
  const { server: tcp, destroyAll } = createTcpServer(
    dispatcher,
    { maxConnections: 1024, idleTimeoutMs: 60_000, maxInFlight: 16, ...o.tcp },
    o.metrics,
  );
  tcp.listen(o.port, o.host);
  await once(tcp, 'listening');
  const port = (tcp.address() as AddressInfo).port;
  siteInfo = o.siteFor(port);
  const udp: UdpSocket = createUdpSocket(
    o.host,
    dispatcher,
    { maxResponsePackets: 64, maxAssemblies: 256, assemblyTimeoutMs: 5_000, ...o.udp },
    o.metrics,
  );
  try {
    udp.bind(port, o.host);
    await once(udp, 'listening');
  } catch (e) {
    tcp.close();
    throw e;
  }
  return {
    port,
    siteInfo,
    close: async () => {
      udp.close();
      const closed = new Promise<void>((r) => tcp.close(() => r()));
      destroyAll();
      await closed;
    },
  };
}
