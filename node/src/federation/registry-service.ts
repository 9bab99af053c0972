import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import { parsePrefix } from '../identifier/index.ts';
import type { DelegationRegistry, Delegation, NodeRole } from '../../../prefix-registry/src/index.ts';
import type { RegistryHandlers } from '../../../proto/load.ts';
import type { Delegation as WireDelegation } from '../../../proto/generated/idnode/v1/Delegation.generated.ts';
import type { PrefixClaim } from '../../../proto/generated/idnode/v1/PrefixClaim.generated.ts';
import type { NodeHealthTracker } from './node-health.ts';
import { requirePeer, toServiceError, type AuthCall, type PeerCheck } from './peer-identity.ts';
import { errorToWire } from './wire.ts';

/**
 * The Registry service of the top-level node, over prefix-registry's DelegationRegistry. Every
 * call that acts for a node must come from that node's certificate. Delegations follow the
 * operator's plan (IDNODE_DELEGATIONS: prefix -> node id): a node gets a planned prefix when it
 * registers or asks, and nothing else; moving a prefix is a plan change plus `transfer`.
 */
export interface RegistryServiceDeps {
  readonly directory: DelegationRegistry;
  readonly health: NodeHealthTracker;
  readonly plan: ReadonlyMap<string, string>;
  readonly peer: PeerCheck;
  /** The highest seq of a node this node has applied from its sync stream (the durable cursor). */
  appliedSeq(nodeId: string): Promise<number>;
}

const ROLE_FROM_WIRE: Record<string, NodeRole> = {
  NODE_ROLE_TOP_LEVEL: 'top-level',
  NODE_ROLE_SECONDARY: 'secondary',
  NODE_ROLE_CACHING: 'caching',
};

function toWire(d: Delegation): WireDelegation {
  return {
    prefix: d.prefix,
    nodeId: d.nodeId,
    delegatedAt: d.delegatedAt,
    version: d.version,
    sites: [
      {
        nodeId: d.site.nodeId,
        grpcAddress: d.site.grpcAddress,
        httpAddress: d.site.httpAddress ?? '',
        primary: d.site.primary,
      },
    ],
  };
}

/** Wraps an async handler: thrown coded errors become gRPC statuses from the error table. */
function unary<Req, Res>(fn: (req: Req, call: AuthCall) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    fn(call.request, call).then(
      (res) => callback(null, res),
      (e: unknown) => callback(toServiceError(e)),
    );
  };
}

const planned = (deps: RegistryServiceDeps, prefix: string, nodeId: string): boolean => {
  const key = parsePrefix(prefix, 'text').prefix;
  return deps.plan.get(key) === nodeId;
};

/** Grants a planned prefix, or confirms one already held (or covered by a held delegation). */
async function claim(deps: RegistryServiceDeps, prefix: string, nodeId: string): Promise<PrefixClaim> {
  try {
    const held = deps.directory.lookup(prefix);
    if (held?.nodeId === nodeId) return { prefix, confirmed: true };
    if (!planned(deps, prefix, nodeId)) {
      const error = held
        ? new IdnError('IDN_ERR_PREFIX_TAKEN', `${prefix} is delegated to ${held.nodeId}.`)
        : new IdnError('IDN_ERR_NOT_AUTHORIZED', `${prefix} is not planned for node ${nodeId} on this top-level node.`);
      return { prefix, confirmed: false, error: errorToWire(error) };
    }
    await deps.directory.delegate(prefix, nodeId, { actor: `node:${nodeId}`, transfer: held !== undefined });
    return { prefix, confirmed: true };
  } catch (e) {
    const err = isIdnError(e) ? e : new IdnError('IDN_ERR_INTERNAL');
    return { prefix, confirmed: false, error: errorToWire(err) };
  }
}

export function createRegistryHandlers(deps: RegistryServiceDeps): RegistryHandlers {
  return {
    RegisterNode: unary(async (req, call) => {
      const node = req.node;
      if (node === null) throw new IdnError('IDN_ERR_BAD_REQUEST', 'RegisterNode needs node.');
      const nodeId = requirePeer(call, node.nodeId, deps.peer);
      await deps.directory.registerNode(
        {
          nodeId,
          role: ROLE_FROM_WIRE[node.role] ?? 'secondary',
          grpcAddress: node.grpcAddress,
          ...(node.httpAddress ? { httpAddress: node.httpAddress } : {}),
          certIdentity: nodeId,
        },
        `node:${nodeId}`,
      );
      deps.health.report(nodeId, 'HEALTH_STATE_SERVING');
      const claims: PrefixClaim[] = [];
      for (const p of req.claimedPrefixes) claims.push(await claim(deps, p, nodeId));
      return { accepted: true, claims, heartbeatIntervalSeconds: deps.health.intervalSeconds };
    }),
    Heartbeat: unary(async (req, call) => {
      const nodeId = requirePeer(call, req.nodeId, deps.peer);
      if (deps.directory.getNode(nodeId) === undefined) throw new IdnError('IDN_ERR_NODE_NOT_FOUND');
      const appliedSeq = await deps.appliedSeq(nodeId);
      // last_seq 0 is what a node that could not read its own log sends: keep what it said before.
      deps.health.report(nodeId, req.health, { appliedSeq, ...(req.lastSeq > 0 ? { lastSeq: req.lastSeq } : {}) });
      return {
        nextHeartbeatSeconds: deps.health.intervalSeconds,
        appliedSeq,
        // Decided after this report: true while the node says it cannot serve (a silent node sends nothing).
        takeoverActive: deps.health.takeoverActive(nodeId),
      };
    }),
    RequestDelegation: unary(async (req, call) => {
      const nodeId = requirePeer(call, req.nodeId, deps.peer);
      if (!planned(deps, req.prefix, nodeId)) {
        const held = deps.directory.lookup(req.prefix);
        if (held?.nodeId === nodeId && held.prefix === parsePrefix(req.prefix, 'text').prefix) {
          return { decision: 'DECISION_ALREADY_GRANTED', delegation: toWire(held) };
        }
        throw new IdnError('IDN_ERR_NOT_AUTHORIZED', `${req.prefix} is not planned for node ${nodeId}.`);
      }
      const res = await deps.directory.delegate(req.prefix, nodeId, {
        actor: `node:${nodeId}`,
        transfer: req.transfer,
        ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
      });
      const decision = res.decision === 'granted' ? 'DECISION_GRANTED' : 'DECISION_ALREADY_GRANTED';
      return { decision, delegation: toWire(res.delegation) };
    }),
    LookupPrefix: unary((req) => {
      const d = deps.directory.lookup(req.prefix);
      return Promise.resolve(d === undefined ? { found: false } : { found: true, delegation: toWire(d), ttl: 300 });
    }),
    ListDelegations: unary(async (req) => {
      const page = await deps.directory.list({
        limit: Math.min(Math.max(req.pageSize || 100, 1), 1000),
        ...(req.underPrefix ? { under: req.underPrefix } : {}),
        ...(req.pageToken ? { after: req.pageToken } : {}),
      });
      return { delegations: page.delegations.map(toWire), nextPageToken: page.next ?? '' };
    }),
  };
}
