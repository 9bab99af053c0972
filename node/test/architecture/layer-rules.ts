import { findCycles, type ImportEdge, type ImportGraph } from './import-graph.ts';

/**
 * The layers of docs/architecture.md, lowest first. A file may import its own layer or a lower one,
 * never a higher one. Folders are under node/src unless the entry names a repository path.
 *
 * | rank | layer      | folders                                                                          |
 * | ---- | ---------- | -------------------------------------------------------------------------------- |
 * | 0    | core       | errors, identifier, records, store (contract + backends), config-kit, wire,      |
 * |      |            | authority (homed-prefix and 0.NA arithmetic over identifiers), proto/ (codegen)  |
 * | 1    | support    | observability, cache, audit, auth, access, passport, health, signing             |
 * | 2    | rules      | prefix-registry/src                                                              |
 * | 3    | services   | resolve (ResolutionService), write (RecordService), sync                         |
 * | 4    | transports | http, federation (gRPC), cli, handle-protocol                                    |
 * | 5    | wiring     | app.ts, main.ts, config/ (load.ts collects every section), bootstrap, cluster/   |
 */
export const LAYERS: readonly { readonly name: string; readonly members: readonly string[] }[] = [
  {
    name: 'core',
    members: [
      'node/src/errors/',
      'node/src/identifier/',
      'node/src/records/',
      'node/src/store/',
      'node/src/config-kit/',
      'node/src/wire/',
      'node/src/authority/',
      'proto/',
    ],
  },
  {
    name: 'support',
    members: [
      'node/src/observability/',
      'node/src/cache/',
      'node/src/audit/',
      'node/src/auth/',
      'node/src/access/',
      'node/src/passport/',
      'node/src/health/',
      'node/src/signing/',
    ],
  },
  { name: 'rules', members: ['prefix-registry/src/'] },
  { name: 'services', members: ['node/src/resolve/', 'node/src/write/', 'node/src/sync/'] },
  {
    name: 'transports',
    members: ['node/src/http/', 'node/src/federation/', 'node/src/cli/', 'node/src/handle-protocol/'],
  },
  {
    name: 'wiring',
    members: [
      'node/src/app.ts',
      'node/src/main.ts',
      'node/src/start.ts',
      'node/src/config/',
      'node/src/bootstrap/',
      'node/src/cluster/',
    ],
  },
];

/** The layer rank of a file, or undefined for a file no layer names (a new folder: the test asks for a row). */
export function layerOf(file: string): number | undefined {
  const rank = LAYERS.findIndex((l) => l.members.some((m) => (m.endsWith('/') ? file.startsWith(m) : file === m)));
  return rank < 0 ? undefined : rank;
}

const edges = (graph: ImportGraph): ImportEdge[] => [...graph.values()].flat();
const show = (e: ImportEdge): string => `${e.from} imports ${e.specifier}`;
const nameOf = (rank: number | undefined): string => (rank === undefined ? '?' : (LAYERS[rank]?.name ?? '?'));

export function unlayeredFiles(graph: ImportGraph): string[] {
  return [...graph.keys()].filter((f) => layerOf(f) === undefined);
}

export function cycles(graph: ImportGraph): string[] {
  return findCycles(graph).map((c) => c.join(' -> '));
}

/** A lower layer importing a higher one (type-only imports count: they couple the design all the same). */
export function upwardImports(graph: ImportGraph): string[] {
  return edges(graph).flatMap((e) => {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (from === undefined || to === undefined || to <= from) return [];
    return [`${show(e)} (${nameOf(from)} -> ${nameOf(to)})`];
  });
}

const WIRING = ['node/src/app.ts', 'node/src/main.ts'];

/** The stages are the resolution chain's inside: only resolve/ and the wiring (app.ts builds the template index) see them. */
export function stageImportsOutsideResolve(graph: ImportGraph): string[] {
  return edges(graph)
    .filter((e) => e.to.startsWith('node/src/resolve/stages/'))
    .filter((e) => !e.from.startsWith('node/src/resolve/') && !WIRING.includes(e.from))
    .map(show);
}

const STORE_CONTRACT = 'node/src/store/store.ts';
const BACKENDS = ['node/src/store/lmdb-store.ts', 'node/src/store/redis-store.ts', 'node/src/store/open-store.ts'];
const WRITERS = (f: string): boolean =>
  f.startsWith('node/src/store/') || f.startsWith('node/src/write/') || WIRING.includes(f);

/** RecordService is the only holder of a writable store: the `Store` type and the backends stay in store/, write/ and the wiring. */
export function writableStoreImports(graph: ImportGraph): string[] {
  return edges(graph)
    .filter((e) => !WRITERS(e.from))
    .filter(
      (e) =>
        BACKENDS.includes(e.to) || (e.to === STORE_CONTRACT && (e.names.includes('Store') || e.names.includes('*'))),
    )
    .map((e) => `${show(e)} { ${e.names.join(', ')} }`);
}

/** prefix-registry depends only on the Store interface and the core, and never by a relative path into node/src. */
export function registryReach(graph: ImportGraph): string[] {
  return edges(graph)
    .filter((e) => e.from.startsWith('prefix-registry/src/') && !e.to.startsWith('prefix-registry/src/'))
    .flatMap((e) => {
      if (e.specifier.startsWith('.')) return [`${show(e)} (a relative path out of prefix-registry: use #core/*)`];
      if (layerOf(e.to) !== 0) return [`${show(e)} (not the core)`];
      if (e.to.startsWith('node/src/store/') && e.to !== STORE_CONTRACT) return [`${show(e)} (a store backend)`];
      return [];
    });
}

const REGISTRY_CLASSES = ['DelegationRegistry', 'EnterprisePrefixRegistry', 'SerialAllocator', 'SuffixRegistry', '*'];

/** Routes call the registries the wiring built (ctx.registry); a route never constructs one over a store. */
export function registryConstructedByRoute(graph: ImportGraph): string[] {
  return edges(graph)
    .filter((e) => e.from.startsWith('node/src/http/') && e.to.startsWith('prefix-registry/src/') && !e.typeOnly)
    .filter((e) => e.names.some((n) => REGISTRY_CLASSES.includes(n)))
    .map((e) => `${show(e)} { ${e.names.join(', ')} }`);
}
