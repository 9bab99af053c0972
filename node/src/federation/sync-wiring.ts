import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ChangeFeed } from '../store/change-feed.ts';
import type { ReadonlyStore } from '../store/store.ts';
import type { RecordService } from '../write/record-service.ts';
import { createSyncMount, nodeIdFromMetadata, startSyncSender, type SyncSender } from '../sync/index.ts';
import { startWitnessClient, type WitnessClient } from '../sync/witness-client.ts';
import type { TransparencyLog } from '../tlog/transparency-log.ts';
import type { Witness } from '../tlog/witness.ts';
import { SyncClient } from '../../../proto/load.ts';
import type { Federation } from './federation.ts';
import type { GrpcMount } from './grpc-server.ts';
import { channelOptions } from './peer-client.ts';
import { peerNodeId } from './peer-identity.ts';
import { channelCredentials } from './tls-material.ts';

/**
 * Connects the upward sync (node/src/sync, the sync helper's) to the roles: the top-level mounts
 * the Sync service, a secondary streams its change log to its upstream.
 */

/**
 * Top-level: Sync.Push, authenticated by the peer certificate and limited to the node's delegated
 * prefixes; synced changes are applied through the node's RecordService (as sync:<node>).
 */
export function syncMountFor(
  fed: Federation,
  records: RecordService,
  plan: ReadonlyMap<string, string>,
  witness?: Witness,
): GrpcMount | undefined {
  const directory = fed.directory;
  if (fed.role !== 'top-level' || directory === undefined) return undefined;
  return createSyncMount({
    records,
    ...(witness ? { witness } : {}),
    nodeIdOf: (call) => {
      const claimed = nodeIdFromMetadata(call);
      if (fed.tls === undefined) return claimed;
      const peer = peerNodeId(call);
      // The metadata may only repeat what the certificate says.
      return claimed === undefined || claimed === peer ? peer : undefined;
    },
    allowedPrefixes: (nodeId) => {
      if (directory.getNode(nodeId) === undefined) return undefined;
      return [...plan.keys()].filter((p) => directory.lookup(p)?.nodeId === nodeId);
    },
  });
}

export interface SenderDeps {
  /** Read only: the sender reads its change log; its cursor lives on the top-level. */
  readonly store: ReadonlyStore;
  readonly changes: ChangeFeed;
  readonly registry: Registry;
  readonly upstream: string;
  readonly logger: Logger;
  /** This node's transparency log: its checkpoints are presented to the top-level node's witness. */
  readonly tlog?: TransparencyLog;
  readonly checkpointMs?: number;
}

/** Secondary with a log: present each checkpoint to the top-level's witness (a refusal is an error line). */
export function startWitnessClientFor(fed: Federation, d: SenderDeps): WitnessClient | undefined {
  if (fed.role !== 'secondary' || !d.tlog) return undefined;
  const creds = channelCredentials(fed.tls);
  return startWitnessClient({
    log: d.tlog,
    nodeId: fed.selfId,
    connect: () => new SyncClient(d.upstream, creds, channelOptions(undefined)),
    ...(d.checkpointMs === undefined ? {} : { intervalMs: d.checkpointMs }),
    onRefused: (code, message) =>
      d.logger.error(
        { log: 'tlog', event: 'witness-refused', code },
        `the top-level witness refused this log: ${message}`,
      ),
  });
}

/** Secondary: stream the change log upward (resumes from the top-level's cursor after any cut). */
export function startSenderFor(fed: Federation, d: SenderDeps): SyncSender | undefined {
  if (fed.role !== 'secondary') return undefined;
  const creds = channelCredentials(fed.tls);
  return startSyncSender({
    store: d.store,
    nodeId: fed.selfId,
    connect: () => new SyncClient(d.upstream, creds, channelOptions(undefined)),
    registry: d.registry,
    changes: d.changes,
    onRefused: (error) =>
      d.logger.warn({ code: error.code, message: error.message }, 'top-level refused a synced entry'),
  });
}
