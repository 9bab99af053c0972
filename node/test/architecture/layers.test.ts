import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, type ImportEdge, type ImportGraph } from './import-graph.ts';
import {
  cycles,
  LAYERS,
  registryConstructedByRoute,
  registryReach,
  stageImportsOutsideResolve,
  unlayeredFiles,
  upwardImports,
  writableStoreImports,
} from './layer-rules.ts';

// The layer table is in layer-rules.ts (and docs/architecture.md): core < support < rules < services < transports < wiring.
const ROOT = join(import.meta.dirname, '../../..');
const graph = buildImportGraph(ROOT, ['node/src', 'prefix-registry/src', 'proto']);

describe('the layers of node/src and prefix-registry (the real import graph)', () => {
  it('sees the whole code base', () => {
    expect(graph.size).toBeGreaterThan(200);
    expect(graph.has('node/src/write/record-service.ts')).toBe(true);
  });
  it('names every file in one layer (a new folder needs a row in LAYERS)', () => {
    expect(unlayeredFiles(graph)).toEqual([]);
  });
  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });
  it('never imports a higher layer from a lower one', () => {
    expect(upwardImports(graph)).toEqual([]);
  });
  it('keeps the resolution stages inside resolve/ (no HTTP route or gRPC handler imports resolve/stages/*)', () => {
    expect(stageImportsOutsideResolve(graph)).toEqual([]);
  });
  it('gives a writable Store only to store/, write/ (RecordService) and the wiring', () => {
    expect(writableStoreImports(graph)).toEqual([]);
  });
  it('lets prefix-registry reach only the core and the Store interface, through #core/*', () => {
    expect(registryReach(graph)).toEqual([]);
  });
  it('lets no route construct a registry over a store', () => {
    expect(registryConstructedByRoute(graph)).toEqual([]);
  });
});

/** A synthetic graph: each rule must fail on the violation it exists for. */
const edge = (from: string, to: string, more: Partial<ImportEdge> = {}): ImportEdge => ({
  from,
  to,
  specifier: more.specifier ?? `./${to.split('/').pop() ?? ''}`,
  typeOnly: more.typeOnly ?? false,
  names: more.names ?? ['x'],
});
const graphOf = (...list: ImportEdge[]): ImportGraph => {
  const g = new Map<string, ImportEdge[]>();
  for (const e of list) {
    g.set(e.from, [...(g.get(e.from) ?? []), e]);
    if (!g.has(e.to)) g.set(e.to, []);
  }
  return g;
};

describe('the rules fail on a violating graph', () => {
  it('a cycle, also through type-only imports', () => {
    const g = graphOf(
      edge('node/src/resolve/outcome.ts', 'node/src/resolve/trace.ts', { typeOnly: true }),
      edge('node/src/resolve/trace.ts', 'node/src/resolve/outcome.ts'),
    );
    expect(cycles(g)).toEqual([
      'node/src/resolve/outcome.ts -> node/src/resolve/trace.ts -> node/src/resolve/outcome.ts',
    ]);
  });
  it('a core file importing a support file, and a support file importing a service', () => {
    const g = graphOf(
      edge('node/src/records/validate-values.ts', 'node/src/passport/link-value.ts'),
      edge('node/src/passport/respond.ts', 'node/src/resolve/render-memo.ts', { typeOnly: true }),
      edge('node/src/http/server.ts', 'node/src/records/types.ts'),
    );
    expect(upwardImports(g)).toEqual([
      'node/src/records/validate-values.ts imports ./link-value.ts (core -> support)',
      'node/src/passport/respond.ts imports ./render-memo.ts (support -> services)',
    ]);
  });
  it('a route or gRPC handler importing a stage; resolve/ itself may', () => {
    const g = graphOf(
      edge('node/src/http/routes/proxy.ts', 'node/src/resolve/stages/walk-up.ts'),
      edge('node/src/federation/resolution-service.ts', 'node/src/resolve/stages/upstream.ts', { typeOnly: true }),
      edge('node/src/resolve/order.ts', 'node/src/resolve/stages/walk-up.ts'),
    );
    expect(stageImportsOutsideResolve(g)).toHaveLength(2);
  });
  it('a writable Store or a backend outside the writers; a ReadonlyStore is fine', () => {
    const g = graphOf(
      edge('node/src/http/routes/handles-write.ts', 'node/src/store/store.ts', { names: ['ReadonlyStore', 'Store'] }),
      edge('node/src/sync/apply-batch.ts', 'node/src/store/lmdb-store.ts'),
      edge('node/src/http/routes/handles-read.ts', 'node/src/store/store.ts', { names: ['ReadonlyStore'] }),
      edge('node/src/write/record-service.ts', 'node/src/store/store.ts', { names: ['Store'] }),
    );
    expect(writableStoreImports(g)).toHaveLength(2);
  });
  it('prefix-registry reaching node/src by a relative path, or beyond the core', () => {
    const g = graphOf(
      edge('prefix-registry/src/serials.ts', 'node/src/errors/idn-error.ts', {
        specifier: '../../node/src/errors/idn-error.ts',
      }),
      edge('prefix-registry/src/serials.ts', 'node/src/auth/identity.ts', { specifier: '#core/auth/identity' }),
      edge('prefix-registry/src/serials.ts', 'node/src/store/lmdb-store.ts', { specifier: '#core/store/lmdb-store' }),
      edge('prefix-registry/src/serials.ts', 'node/src/store/store.ts', { specifier: '#core/store/store' }),
    );
    expect(registryReach(g)).toHaveLength(3);
  });
  it('a route importing a registry class', () => {
    const g = graphOf(
      edge('node/src/http/routes/admin-serials.ts', 'prefix-registry/src/index.ts', { names: ['SerialAllocator'] }),
      edge('node/src/http/routes/admin-identifiers-batch.ts', 'prefix-registry/src/index.ts', { names: ['lineHash'] }),
    );
    expect(registryConstructedByRoute(g)).toHaveLength(1);
  });
  it('a file of no layer', () => {
    expect(unlayeredFiles(graphOf(edge('node/src/newfolder/x.ts', 'node/src/errors/codes.ts')))).toEqual([
      'node/src/newfolder/x.ts',
    ]);
    expect(LAYERS.map((l) => l.name)).toEqual(['core', 'support', 'rules', 'services', 'transports', 'wiring']);
  });
});
