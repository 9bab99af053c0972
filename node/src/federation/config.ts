import { Type, type Static } from 'typebox';
import { NA_PREFIX_KEY } from '../authority/homed-prefixes.ts';
import { parsePrefixList } from '../config-kit/prefix-list.ts';
import type { Problems } from '../config-kit/problems.ts';
import type { ConfigSection } from '../config-kit/section.ts';
import { enumVar, hostPortVar, intVar, textVar } from '../config-kit/vars.ts';
import { parsePrefix } from '../identifier/index.ts';

/** A node's role, what it homes, and how it peers with other nodes over gRPC. */

export const ROLES = ['standalone', 'top-level', 'secondary', 'caching'] as const;
export type NodeRole = (typeof ROLES)[number];
export const DEFAULT_GRPC_PORT = 50051;
/** What a standalone node homes when told nothing: the README's walkthrough prefix. */
export const DEMO_PREFIX = '88.100.5';

export interface FederationConfig {
  readonly role: NodeRole;
  /** The prefixes this node homes (none for a caching node). */
  readonly prefixes: readonly string[];
  /** undefined when this node runs no gRPC server (a plain standalone node). */
  readonly grpc: { readonly port: number; readonly advertise: string } | undefined;
  /** host:port of the node asked for prefixes not homed here (secondary, caching). */
  readonly upstream: string | undefined;
  /** Explicit IDNODE_NODE_ID; otherwise main.ts derives it from the certificate CN, else the hostname. */
  readonly nodeId: string | undefined;
  /** Top-level: the operator's delegation plan, prefix -> node id, granted when that node registers. */
  readonly delegations: ReadonlyMap<string, string>;
  readonly heartbeatSeconds: number;
  /** Deadline of every outgoing resolution call. */
  readonly upstreamTimeoutMs: number;
}

const raw = Type.Object({
  IDNODE_ROLE: enumVar(ROLES, { description: 'what this node is in the federation', default: 'standalone' }),
  IDNODE_PREFIXES: Type.Optional(
    textVar('prefixes separated by commas, e.g. 88.100.5,88.100.6', {
      description: 'prefixes this node homes',
      defaultText: `${DEMO_PREFIX} (standalone); required for top-level and secondary; none for caching`,
    }),
  ),
  IDNODE_GRPC_PORT: Type.Optional(
    intVar(0, 65535, {
      description: 'gRPC port for other nodes (0 = ephemeral)',
      defaultText: `${DEFAULT_GRPC_PORT} (federated roles); standalone: no gRPC unless set`,
    }),
  ),
  IDNODE_UPSTREAM: Type.Optional(
    hostPortVar({ description: 'gRPC host:port of the top-level (secondary) or upstream node (caching)' }),
  ),
  IDNODE_NODE_ID: Type.Optional(
    textVar(
      "a letter or digit, then up to 63 letters, digits, '.', '_' or '-'",
      { description: "this node's id", defaultText: 'certificate CN, else the host name' },
      { pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
    ),
  ),
  IDNODE_GRPC_ADVERTISE: Type.Optional(
    hostPortVar({ description: 'address other nodes use to reach this one', defaultText: '127.0.0.1:<grpc port>' }),
  ),
  IDNODE_DELEGATIONS: Type.Optional(
    textVar('prefix=nodeId pairs separated by commas, e.g. 88.100=secA,88.200=secB', {
      description: 'top-level: the delegation plan; a node gets a planned prefix when it registers',
    }),
  ),
  IDNODE_HEARTBEAT_S: intVar(1, 9_999, {
    description: 'heartbeat interval the top-level asks for; a node silent for 3 intervals is taken over',
    default: '5',
  }),
  IDNODE_UPSTREAM_TIMEOUT_MS: intVar(1, 999_999, {
    description: 'deadline of every outgoing resolution call',
    default: '2000',
  }),
});
type Raw = Static<typeof raw>;

const ROLE = ['IDNODE_ROLE'];

/** Standalone nodes keep the demo prefix by default; federated roles must say what they home; caching homes nothing. */
function homedPrefixes(v: Raw, problems: Problems): string[] {
  if (v.IDNODE_ROLE === 'caching') {
    if (v.IDNODE_PREFIXES !== undefined) {
      problems.add(
        'IDNODE_PREFIXES',
        'must be unset for role caching: a caching node homes no prefixes and takes no writes',
        ROLE,
      );
    }
    return [];
  }
  if (v.IDNODE_PREFIXES === undefined && v.IDNODE_ROLE !== 'standalone') {
    problems.add(
      'IDNODE_PREFIXES',
      `is required for role ${v.IDNODE_ROLE} (e.g. 88 for top-level, 88.100 for secondary)`,
      ROLE,
    );
    return [];
  }
  const parsed = parsePrefixList('IDNODE_PREFIXES', v.IDNODE_PREFIXES ?? DEMO_PREFIX, problems);
  for (const p of parsed) {
    if (p.prefixKey === NA_PREFIX_KEY)
      problems.add('IDNODE_PREFIXES', 'must not list 0.NA: it is reserved for prefix records');
  }
  const prefixes = parsed.filter((p) => p.prefixKey !== NA_PREFIX_KEY).map((p) => p.prefix);
  if (v.IDNODE_ROLE === 'top-level' && prefixes.length !== 1) {
    problems.add(
      'IDNODE_PREFIXES',
      `must be exactly one root prefix for role top-level (e.g. 88; got ${prefixes.length})`,
      ['IDNODE_ROLE', 'IDNODE_PREFIXES'],
    );
  }
  return prefixes;
}

function upstreamOf(v: Raw, problems: Problems): string | undefined {
  const needsUpstream = v.IDNODE_ROLE === 'secondary' || v.IDNODE_ROLE === 'caching';
  if (needsUpstream && v.IDNODE_UPSTREAM === undefined) {
    const of = v.IDNODE_ROLE === 'secondary' ? 'top-level' : 'upstream';
    problems.add('IDNODE_UPSTREAM', `is required for role ${v.IDNODE_ROLE} (host:port of the ${of} node's gRPC)`, ROLE);
  }
  if (!needsUpstream && v.IDNODE_UPSTREAM !== undefined) {
    problems.add('IDNODE_UPSTREAM', `must be unset for role ${v.IDNODE_ROLE}: it asks no upstream node`, ROLE);
  }
  return v.IDNODE_UPSTREAM;
}

/** "88.100=secA,88.200=secB" -> prefix -> node id. */
function delegationPlan(v: Raw, problems: Problems): Map<string, string> {
  const plan = new Map<string, string>();
  const text = v.IDNODE_DELEGATIONS;
  if (text === undefined) return plan;
  if (v.IDNODE_ROLE !== 'top-level') {
    problems.add(
      'IDNODE_DELEGATIONS',
      `must be unset for role ${v.IDNODE_ROLE}: only the top-level node delegates`,
      ROLE,
    );
  }
  for (const item of text.split(',').map((s) => s.trim())) {
    const [prefix, nodeId, extra] = item.split('=');
    try {
      if (
        prefix === undefined ||
        nodeId === undefined ||
        extra !== undefined ||
        !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(nodeId)
      )
        throw new Error('expected prefix=nodeId');
      plan.set(parsePrefix(prefix, 'text').prefix, nodeId);
    } catch (e) {
      problems.add('IDNODE_DELEGATIONS', `has a bad item ${JSON.stringify(item)}: ${(e as Error).message}`);
    }
  }
  return plan;
}

function grpcOf(v: Raw): FederationConfig['grpc'] {
  // A plain standalone node runs gRPC only when asked to, so several can share a host without port clashes.
  const port =
    v.IDNODE_GRPC_PORT === undefined
      ? v.IDNODE_ROLE === 'standalone'
        ? undefined
        : DEFAULT_GRPC_PORT
      : Number(v.IDNODE_GRPC_PORT);
  return port === undefined ? undefined : { port, advertise: v.IDNODE_GRPC_ADVERTISE ?? `127.0.0.1:${port}` };
}

export const federationSection: ConfigSection<typeof raw.properties, FederationConfig> = {
  name: 'federation',
  raw,
  normalise: (v, problems) => ({
    role: v.IDNODE_ROLE,
    prefixes: homedPrefixes(v, problems),
    grpc: grpcOf(v),
    upstream: upstreamOf(v, problems),
    nodeId: v.IDNODE_NODE_ID,
    delegations: delegationPlan(v, problems),
    heartbeatSeconds: Number(v.IDNODE_HEARTBEAT_S),
    upstreamTimeoutMs: Number(v.IDNODE_UPSTREAM_TIMEOUT_MS),
  }),
};

/** Rules across sections: gRPC and HTTP cannot share a port. */
export function validateFederation(
  whole: { readonly federation: FederationConfig; readonly http: { readonly port: number } },
  problems: Problems,
): void {
  const grpc = whole.federation.grpc;
  if (grpc !== undefined && grpc.port === whole.http.port) {
    problems.add('IDNODE_GRPC_PORT', `must differ from IDNODE_HTTP_PORT (both are ${grpc.port})`, [
      'IDNODE_HTTP_PORT',
      'IDNODE_ROLE',
    ]);
  }
}
