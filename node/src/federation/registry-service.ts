import type { sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { IdnError, isIdnError } from '../errors/idn-error.ts';
import { parsePrefix } from '../identifier/index.ts';
import type { ApplySet, DelegationRegistry, Delegation, NodeRole } from '../../../prefix-registry/src/index.ts';
import { naHandleOf } from '../authority/homed-prefixes.ts';
import type { RecordService } from '../write/record-service.ts';
import { registryPrincipal } from '../write/principal.ts';
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
  /** Applies the directory's decisions (delegation records, node registrations): every value rule, one commit. */
  readonly records: RecordService;
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

/**
 * The directory acting on a node's behalf: only the 0.NA record of the prefix being delegated
 * (a deleted delegation may be granted again over its tombstone), plus its own 0.REG records.
 */
const applyFor = (deps: RegistryServiceDeps, actor: string, prefix?: string): ApplySet => {
  const handles = prefix === undefined ? [] : [naHandleOf(parsePrefix(prefix, 'text').prefix)];
  const who = registryPrincipal(actor, handles, { revivesTombstones: true });
  return (set) => deps.records.apply(set, who);
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
    const actor = `node:${nodeId}`;
    await deps.directory.delegate(
      prefix,
      nodeId,
      { actor, transfer: held !== undefined },
      applyFor(deps, actor, prefix),
    );
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
        applyFor(deps, `node:${nodeId}`),
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
      const actor = `node:${nodeId}`;
      const opts = {
        actor,
        transfer: req.transfer,
        ...(req.idempotencyKey ? { idempotencyKey: req.idempotencyKey } : {}),
      };
      const res = await deps.directory.delegate(req.prefix, nodeId, opts, applyFor(deps, actor, req.prefix));
      const decision = res.decision === 'granted' ? 'DECISION_GRANTED' : 'DECISION_ALREADY_GRANTED';
      return { decision, delegation: toWire(res.delegation) };
    }),
    LookupPrefix: unary((req) => {
      const d = deps.directory.lookup(req.prefix);
      return Promise.resolve(d === undefined ? { found: false } : { found: true, delegation: toWire(d) });
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
