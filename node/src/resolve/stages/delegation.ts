import { governingPrefix } from '../../authority/homed-prefixes.ts';
import type { ParsedIdentifier } from '../../identifier/index.ts';
import type { Outcome, Stage } from '../outcome.ts';

/** The prefix directory as the stage sees it (prefix-registry's DelegationRegistry). */
export interface Directory {
  lookup(prefix: string): { prefix: string; nodeId: string; site: { grpcAddress: string } } | undefined;
}

/** Whether a node reports in (heartbeat fresh): federation/node-health.ts. */
export interface NodeHealth {
  isFresh(nodeId: string): boolean;
}

type DelegationEntry = NonNullable<ReturnType<Directory['lookup']>>;

/**
 * The delegation of another node that `id` falls under, if any. The delegation record
 * 0.NA/<delegated prefix> itself is the directory's own, answered here.
 */
export function delegatedElsewhere(
  directory: Directory,
  selfId: string,
  id: ParsedIdentifier,
): DelegationEntry | undefined {
  const gov = governingPrefix(id);
  const d = directory.lookup(gov.prefix);
  if (d === undefined || d.nodeId === selfId) return undefined;
  if (gov.isNa && d.prefix.toLowerCase() === gov.prefixKey) return undefined;
  return d;
}

/**
 * Top-level node: an identifier under a prefix delegated to another node is that node's to answer.
 * While the node reports in, answer with a referral to it; when it does not (heartbeat stale), answer
 * from the synced copy in this store, marked not authoritative (emergency takeover, 应急接管).
 * The delegation record 0.NA/<delegated prefix> itself is the directory's own, answered here.
 */
export function createDelegationStage(directory: Directory, health: NodeHealth, selfId: string): Stage {
  return {
    name: 'delegation',
    async run(req, next): Promise<Outcome> {
      const d = delegatedElsewhere(directory, selfId, req.id);
      if (d === undefined) return next(req);
      if (health.isFresh(d.nodeId)) {
        return { kind: 'referral', prefix: d.prefix, target: d.site.grpcAddress, nodeId: d.nodeId };
      }
      const o = await next(req);
      return o.kind === 'found' || o.kind === 'not-found' ? { ...o, authoritative: false } : o;
    },
  };
}
