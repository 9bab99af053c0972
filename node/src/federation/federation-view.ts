import type { Delegation, DelegationRegistry } from '../../../prefix-registry/src/index.ts';
import type { ReadonlyStore } from '../store/store.ts';
import type { FederationConfig } from './config.ts';
import type { NodeHealthTracker } from './node-health.ts';

/**
 * What the top-level node knows of the federation, read-only, for the admin API and the console:
 * registered nodes with their last heartbeat, the prefixes delegated to each, whether their
 * prefixes are being answered from the synced copy (takeover), and how far their sync stream has
 * been applied. Other roles answer with their role and empty lists.
 */

export interface NodeStatus {
  readonly nodeId: string;
  readonly role: string;
  readonly grpcAddress: string;
  readonly httpAddress: string | null;
  readonly prefixes: readonly string[];
  /** null: no heartbeat since this top-level node started. */
  readonly heartbeat: { readonly at: string; readonly ageSeconds: number; readonly health: string } | null;
  /** Answered from the synced copy: silent for 3 heartbeat intervals, or reporting NOT_SERVING. */
  readonly takeover: boolean;
  readonly sync: {
    /** The node's own highest change-log seq, as its last heartbeat said. */
    readonly nodeSeq: number;
    /** The highest seq of that node applied here (the durable sync cursor). */
    readonly appliedSeq: number;
    readonly lagEntries: number;
  };
}

export interface FederationView {
  readonly role: FederationConfig['role'];
  readonly selfId: string;
  /** The heartbeat interval asked of nodes; undefined off the top-level. */
  readonly heartbeatSeconds: number | undefined;
  nodes(): Promise<NodeStatus[]>;
  delegations(page: { readonly under?: string; readonly limit: number; readonly after?: string }): Promise<{
    readonly delegations: readonly Delegation[];
    readonly next?: string;
  }>;
}

export interface FederationViewDeps {
  readonly role: FederationConfig['role'];
  readonly selfId: string;
  readonly directory: DelegationRegistry | undefined;
  readonly health: NodeHealthTracker | undefined;
  readonly store: ReadonlyStore;
  /** The sync cursor of a node (the receiver's durable applied-through seq). */
  appliedSeq(nodeId: string): Promise<number>;
}

/** Registered node ids: the directory keeps them as `0.REG/NODE/<id>` records. */
const NODE_KEYS = '0.reg/node/';

async function registeredIds(store: ReadonlyStore): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  do {
    const page = await store.list(NODE_KEYS, { limit: 1000, ...(after === undefined ? {} : { after }) });
    for (const key of page.keys) {
      const record = await store.get(key);
      // The key is lower-cased; the record keeps the id as registered.
      if (record !== undefined) ids.push(record.handle.slice(NODE_KEYS.length));
    }
    after = page.next;
  } while (after !== undefined);
  return ids;
}

async function delegatedPrefixes(directory: DelegationRegistry): Promise<Map<string, string[]>> {
  const byNode = new Map<string, string[]>();
  let after: string | undefined;
  do {
    const page = await directory.list({ limit: 1000, ...(after === undefined ? {} : { after }) });
    for (const d of page.delegations) byNode.set(d.nodeId, [...(byNode.get(d.nodeId) ?? []), d.prefix]);
    after = page.next;
  } while (after !== undefined);
  return byNode;
}

export function federationView(deps: FederationViewDeps): FederationView {
  const { directory, health } = deps;
  return {
    role: deps.role,
    selfId: deps.selfId,
    heartbeatSeconds: health?.intervalSeconds,
    async nodes() {
      if (directory === undefined || health === undefined) return [];
      const [ids, prefixes] = await Promise.all([registeredIds(deps.store), delegatedPrefixes(directory)]);
      const out: NodeStatus[] = [];
      for (const id of new Set([...ids, ...health.nodes().keys()])) {
        const node = directory.getNode(id);
        const report = health.nodes().get(id);
        const appliedSeq = await deps.appliedSeq(id);
        const nodeSeq = report?.lastSeq ?? 0;
        out.push({
          nodeId: id,
          role: node?.role ?? 'secondary',
          grpcAddress: node?.grpcAddress ?? '',
          httpAddress: node?.httpAddress ?? null,
          prefixes: prefixes.get(id) ?? [],
          heartbeat:
            report === undefined
              ? null
              : {
                  at: new Date(report.at).toISOString(),
                  ageSeconds: health.ageSeconds(report),
                  health: report.health,
                },
          takeover: health.takeoverActive(id),
          sync: { nodeSeq, appliedSeq, lagEntries: Math.max(0, nodeSeq - appliedSeq) },
        });
      }
      return out.sort((a, b) => (a.nodeId < b.nodeId ? -1 : 1));
    },
    delegations: (page) => (directory === undefined ? Promise.resolve({ delegations: [] }) : directory.list(page)),
  };
}
